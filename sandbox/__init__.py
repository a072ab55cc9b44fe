"""The sandbox: the real bot against a loopback Slack, played from a page on 127.0.0.1."""

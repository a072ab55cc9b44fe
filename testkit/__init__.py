"""The Slack test kit: a faithful loopback Slack, signed requests, a real server to drive."""

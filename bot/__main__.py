"""`python -m bot` is the same as the `mentorbot` command."""

from bot.cli import main

raise SystemExit(main())

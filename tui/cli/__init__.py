"""The `tagline` command line: `main` parses, each module registers one subcommand."""

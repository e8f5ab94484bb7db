"""`python -m analysis ...` is the `analysis` command: same subcommands, options and exit codes."""

from analysis.cli import main

if __name__ == "__main__":
    main(prog_name="analysis")

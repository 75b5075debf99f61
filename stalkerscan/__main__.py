"""`python -m stalkerscan`."""

from stalkerscan.cli import main

if __name__ == "__main__":
    main()

from khien.cli.main import main

main()

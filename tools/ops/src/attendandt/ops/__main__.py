from attendandt.ops.cli import main

main()

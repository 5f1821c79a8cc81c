from nxschema._cli.main import run

run()

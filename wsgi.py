from neighborhood import create_app

app = create_app()

"""Documents people take away (the session pack now; policy exports later). They
render templates, so they live outside the Flask-free domain packages."""

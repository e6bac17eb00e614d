"""Date formats of the project's own, per language (settings.FORMAT_MODULE_PATH); whatever a
language's module leaves out comes from Django's locale. Templates name them like Django's:
`{{ when|date:"SHORT_WEEKDAY_DATETIME_FORMAT" }}`. Every language in settings.LANGUAGES defines
every name here (a test checks it): an undefined name would print as the format itself."""

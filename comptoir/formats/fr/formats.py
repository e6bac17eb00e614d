# Abbreviated as French writes it: "mer. 9 déc., 10:30" ("N" gives "déc.", "mars", "juin").
SHORT_WEEKDAY_DATETIME_FORMAT = "D. j N, H:i"
SHORT_WEEKDAY_DATETIME_YEAR_FORMAT = "D. j N Y, H:i"

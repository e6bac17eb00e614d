"""The surfaces: the top layer, composing the apps into what each host serves (the URLconfs,
the town administration). Nothing below imports from here."""

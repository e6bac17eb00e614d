"""Fictional but realistic content for the demo towns (`manage.py seed_demo`).

`content` holds the words (trades, products, streets, people), `images` draws pictures with
Pillow (nothing is downloaded), `directory` and `activity` write a town's merchants, products,
orders, messages and appointments, and `seed` runs them once per town.
"""

"""The marketplace, split by sub-domain: directory (merchants), catalogue (products and stock),
orders (cart, checkout, orders), each a Django app with its own label and migrations."""

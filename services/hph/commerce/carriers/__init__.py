"""The carrier table (`data/carriers.json`) as shared platform data: the shipments service parses it
whole (hph.services.shipments.carriers: codes, service levels, tracking formats, parcel limits) and
the logistics agents read the transit days from it, so one file says what each carrier sells."""

DATA_PACKAGE = "hph.commerce.carriers"
CARRIERS_FILE = "carriers.json"

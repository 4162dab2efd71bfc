"""Deterministic demo data: a believable holiday-season catalog, shoppers, staff and an admin.

Owns the vocabulary and the generator only. It is pure (no I/O, no storage, no clock): `hph seed`
and `hph up` decide how to write the result. The same seed always yields the same catalog; users
are fixed so dev tokens can name them (`customer-ava`, `staff-sam`, `admin-ada`).
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from dataclasses import dataclass

DEFAULT_SEED = 2026
CURRENCY_CODE = "USD"
PRODUCT_COUNT = 340
MIN_PRODUCTS_PER_LEAF = 12
IMAGE_BASE_URL = "https://images.holidaypeak.example"


@dataclass(frozen=True)
class DemoCategory:
    """A catalog category; `parent_id` is empty for a top-level category."""

    id: str
    name: str
    description: str
    parent_id: str
    image_url: str


@dataclass(frozen=True)
class DemoProduct:
    """A sellable item with its opening inventory; `id` is the SKU."""

    id: str
    name: str
    description: str
    price_minor: int
    currency_code: str
    category_id: str
    brand: str
    tags: tuple[str, ...]
    image_url: str
    stock_on_hand: int
    reorder_point: int
    safety_stock: int


@dataclass(frozen=True)
class DemoAddress:
    """A saved shipping address of a demo user."""

    name: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country_code: str
    phone: str
    is_default: bool


@dataclass(frozen=True)
class DemoUser:
    """A demo identity; `subject` is the JWT `sub` a dev token carries."""

    subject: str
    email: str
    name: str
    phone: str
    role_name: str
    addresses: tuple[DemoAddress, ...]


@dataclass(frozen=True)
class DemoCatalog:
    """Everything `generate_catalog` produces; categories are ordered parents before children."""

    categories: tuple[DemoCategory, ...]
    products: tuple[DemoProduct, ...]
    users: tuple[DemoUser, ...]


# --- vocabulary --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    """One kind of item a leaf sells; `size` reads after "with" / "features"."""

    noun: str
    material: str
    size: str
    use: str
    min_dollars: int
    max_dollars: int
    tag: str


@dataclass(frozen=True)
class _Leaf:
    id: str
    name: str
    description: str
    sku_prefix: str
    brands: tuple[str, ...]
    adjectives: tuple[str, ...]
    variants: tuple[str, ...]
    tags: tuple[str, ...]
    items: tuple[_Item, ...]


@dataclass(frozen=True)
class _TopLevel:
    id: str
    name: str
    description: str
    leaves: tuple[_Leaf, ...]


# Vocabulary tables are laid out by hand for reading; the formatter would explode them.
# fmt: off
_TREE: tuple[_TopLevel, ...] = (
    _TopLevel(
        "gifts-for-her",
        "Gifts for Her",
        "Jewelry, loungewear and little luxuries she will reach for all winter.",
        (
            _Leaf(
                "jewelry", "Jewelry", "Pendants, earrings and bracelets in gift-ready boxes.", "JWL",
                ("Lumiere & Co", "Silverbirch", "Opaline"),
                ("Delicate", "Classic", "Heirloom", "Minimalist", "Sparkling"),
                ("Garnet", "Moonstone", "Sapphire", "Pearl", "Opal"),
                ("jewelry", "accessories"),
                (
                    _Item("Pendant Necklace", "recycled sterling silver", "an adjustable 16 to 18 inch chain",
                          "everyday layering or a festive night out", 39, 129, "necklace"),
                    _Item("Stud Earrings", "nickel-free sterling silver", "6 mm settings and butterfly backs",
                          "sensitive ears and all-day wear", 29, 89, "earrings"),
                    _Item("Charm Bracelet", "polished sterling silver",
                          "a 7.5-inch chain and a 1-inch extender",
                          "collecting a charm for every holiday memory", 49, 149, "bracelet"),
                    _Item("Stacking Ring Trio", "18k gold-plated brass", "three slim bands in sizes 5 to 9",
                          "mixing, matching and stacking", 34, 99, "rings"),
                    _Item("Drop Earrings", "gold vermeil", "a 1.25-inch drop and lever-back closures",
                          "holiday parties and New Year's Eve", 44, 139, "earrings"),
                ),
            ),
            _Leaf(
                "cozy-loungewear", "Cozy Loungewear", "Robes, socks and wraps for slow mornings by the fire.",
                "LNG",
                ("Hearthside", "Cloudknit", "Snowdrift Threads"),
                ("Cozy", "Cloud-Soft", "Relaxed-Fit", "Fireside", "Weekend"),
                ("Oatmeal", "Cranberry", "Heather Gray", "Evergreen", "Midnight Navy"),
                ("loungewear", "cozy"),
                (
                    _Item("Plush Robe", "brushed microfleece", "a shawl collar and deep patch pockets",
                          "lazy holiday mornings", 49, 99, "robe"),
                    _Item("Slipper Socks", "a merino wool blend", "non-slip grips in sizes S to L",
                          "padding around the house on chilly nights", 14, 29, "socks"),
                    _Item("Lounge Set", "stretch modal jersey", "a relaxed top and drawstring joggers",
                          "travel days and movie marathons", 59, 119, "loungeset"),
                    _Item("Knit Wrap", "a cashmere-soft acrylic blend", "a generous 70 x 24 inch drape",
                          "layering over sweaters on cold evenings", 39, 79, "scarf"),
                    _Item("Flannel Pajama Set", "brushed cotton flannel",
                          "a button-front top and elastic-waist pants",
                          "matching family photos on Christmas morning", 44, 89, "pajamas"),
                ),
            ),
        ),
    ),
    _TopLevel(
        "gifts-for-him",
        "Gifts for Him",
        "Grooming kits and home-bar essentials for the hard-to-shop-for.",
        (
            _Leaf(
                "grooming-kits", "Grooming Kits", "Shave sets, beard care and travel kits in handsome boxes.",
                "GRM",
                ("Barrow & Pine", "Ironwood Grooming", "Cedar Row"),
                ("Classic", "Signature", "Travel-Ready", "Essential", "Gentleman's"),
                ("Cedar & Vetiver", "Bourbon Vanilla", "Sea Salt", "Black Pepper", "Unscented"),
                ("grooming", "mens"),
                (
                    _Item("Beard Care Kit", "plant-based oils and a boar-bristle brush",
                          "a 1 oz oil, a 2 oz balm and a pocket comb", "keeping a winter beard soft and tidy",
                          29, 69, "beard"),
                    _Item("Safety Razor Set", "chrome-plated brass",
                          "a weighted handle, stand and 10 spare blades", "a closer, plastic-free shave", 39,
                          89, "shaving"),
                    _Item("Shaving Cream Trio", "glycerin and shea butter", "three 4 oz tins",
                          "a rich lather with a brush or by hand", 24, 44, "shaving"),
                    _Item("Leather Dopp Kit", "full-grain leather and a waxed canvas lining",
                          "a 10 x 5 x 6 inch main compartment", "weekend trips and holiday travel", 49, 119,
                          "travel"),
                    _Item("Body Wash & Scrub Duo", "natural exfoliants and essential oils",
                          "two 8 oz bottles", "an energizing morning shower", 19, 39, "bodycare"),
                ),
            ),
            _Leaf(
                "bar-whiskey", "Bar & Whiskey", "Decanters, glassware and cocktail tools for the home bar.",
                "BAR",
                ("Copper Still", "Oak & Ember", "Barrow & Pine"),
                ("Classic", "Artisan", "Old-Fashioned", "Heritage", "Speakeasy"),
                ("Smoke Gray", "Crystal Clear", "Copper", "Matte Black", "Gold Rim"),
                ("barware", "cocktails"),
                (
                    _Item("Whiskey Decanter Set", "lead-free crystal",
                          "a 28 oz decanter and four 10 oz tumblers",
                          "serving a favorite bourbon to holiday guests", 59, 149, "decanter"),
                    _Item("Whiskey Stones Gift Box", "food-safe soapstone", "nine cubes and a velvet pouch",
                          "chilling a pour without watering it down", 19, 39, "whiskey"),
                    _Item("Cocktail Shaker Kit", "brushed stainless steel",
                          "a 24 oz shaker, jigger and strainer", "shaking up winter cocktails", 34, 79,
                          "shaker"),
                    _Item("Rocks Glass Pair", "hand-blown glass", "two 11 oz glasses",
                          "sipping neat or over one big cube", 24, 49, "glassware"),
                    _Item("Bar Tool Roll", "waxed canvas and walnut", "seven tools in a roll-up case",
                          "mixing drinks at home or on the road", 49, 99, "tools"),
                ),
            ),
        ),
    ),
    _TopLevel(
        "toys-games",
        "Toys & Games",
        "Family game nights, building sets and cuddly companions for every age.",
        (
            _Leaf(
                "board-games", "Board Games", "Strategy, party and family games for long holiday evenings.",
                "BRD",
                ("Meeple Lane", "Gingerbread Games", "Tinsel Town Games"),
                ("Family", "Strategic", "Cooperative", "Party-Size", "Deluxe"),
                ("Classic Edition", "Holiday Edition", "Travel Edition", "Collector's Edition",
                 "Anniversary Edition"),
                ("games", "family"),
                (
                    _Item("Strategy Board Game", "linen-finish cardboard and wooden pieces",
                          "a 20 x 20 inch board for 2 to 5 players", "game nights that run 60 to 90 minutes",
                          29, 59, "strategy"),
                    _Item("Party Card Game", "recycled card stock", "300 cards for 4 to 10 players",
                          "big groups and quick, laugh-out-loud rounds", 14, 29, "party"),
                    _Item("Adventure Quest Game", "sturdy cardboard tiles and painted miniatures",
                          "a modular board for 1 to 4 players", "families working together to win", 34, 69,
                          "adventure"),
                    _Item("Trivia Challenge Game", "matte-laminated card stock",
                          "1,200 questions for 2 to 8 players", "showing off at family gatherings", 19, 34,
                          "trivia"),
                    _Item("Chess & Checkers Set", "solid acacia wood",
                          "a folding 15-inch board and felt-lined storage",
                          "teaching a new generation the classics", 29, 79, "chess"),
                ),
            ),
            _Leaf(
                "building-sets", "Building Sets", "Brick sets and STEM kits for young engineers.", "BLD",
                ("Brickforge", "Tinker Peak", "Blockhaven"),
                ("Creative", "Modular", "Motorized", "Starter", "Master Builder"),
                ("Winter Village", "North Pole Workshop", "Space Station", "Castle Keep", "City Fire Rescue"),
                ("toys", "building"),
                (
                    _Item("Brick Building Set", "durable ABS plastic bricks", "over 750 pieces",
                          "builders aged 8 and up", 29, 89, "bricks"),
                    _Item("Magnetic Tile Kit", "BPA-free plastic and sealed magnets", "60 tiles in 8 shapes",
                          "open-ended play for ages 3 and up", 34, 79, "magnetic"),
                    _Item("Robotics STEM Kit", "snap-fit parts and a coding controller",
                          "over 200 pieces and 3 motors", "learning to code by building", 59, 149, "stem"),
                    _Item("Wooden Marble Run", "sustainably sourced beech wood",
                          "80 pieces and 20 glass marbles", "rainy-day engineering projects", 39, 89,
                          "marbles"),
                    _Item("Display Model Kit", "precision-molded bricks",
                          "about 1,500 pieces and a printed guide", "teens and adults who love a long build",
                          79, 199, "model"),
                ),
            ),
            _Leaf(
                "plush-toys", "Plush Toys", "Soft, huggable friends that pass every bedtime test.", "PLS",
                ("Snuggle Fern", "Polar Pals", "Cuddlebrook"),
                ("Huggable", "Cuddly", "Snuggly", "Heirloom", "Classic"),
                ("Polar Bear", "Reindeer", "Snowy Owl", "Red Fox", "Penguin"),
                ("toys", "plush"),
                (
                    _Item("Plush Animal", "super-soft recycled polyester", "a 12-inch sitting height",
                          "bedtime cuddles for ages 1 and up", 14, 34, "stuffed"),
                    _Item("Storybook & Plush Set", "embroidered plush and a hardcover book",
                          "an 8-inch friend and a 32-page story", "holiday read-alouds", 24, 44, "books"),
                    _Item("Heatable Plush Buddy", "lavender-scented flaxseed filling",
                          "a microwave-safe 10-inch body", "soothing cold hands and tired kids", 19, 39,
                          "comfort"),
                    _Item("Musical Plush", "soft velour", "a 9-inch body and a 3-song player",
                          "lulling little ones to sleep", 19, 34, "baby"),
                    _Item("Hand Puppet", "plush and a stitched felt lining",
                          "a 12-inch body that fits adult hands", "puppet shows and silly stories", 12, 24,
                          "puppet"),
                ),
            ),
        ),
    ),
    _TopLevel(
        "electronics",
        "Electronics",
        "Smart-home gadgets and audio gear that make the season brighter.",
        (
            _Leaf(
                "smart-home", "Smart Home",
                "Speakers, plugs and cameras that take the busywork out of hosting.",
                "SMH",
                ("Nimbus", "Hearthlink", "Brightnest"),
                ("Compact", "Wireless", "Voice-Ready", "Next-Gen", "Essential"),
                ("Charcoal", "Chalk White", "Sage", "Slate Blue", "Sandstone"),
                ("electronics", "smarthome"),
                (
                    _Item("Smart Speaker", "recycled fabric over an aluminum frame",
                          "a 4-inch woofer and 360-degree sound", "hands-free timers, music and recipes", 49,
                          199, "speaker"),
                    _Item("Smart Plug 4-Pack", "flame-retardant polycarbonate",
                          "four slim plugs that leave the second outlet free",
                          "scheduling tree lights and window candles", 24, 49, "plug"),
                    _Item("Video Doorbell", "weather-sealed polycarbonate",
                          "a 1080p camera and a 160-degree view", "keeping an eye on holiday deliveries", 79,
                          199, "security"),
                    _Item("Smart Thermostat", "brushed aluminum and glass", "a 2.5-inch color display",
                          "keeping the house warm when guests arrive", 99, 249, "thermostat"),
                    _Item("Smart Display Hub", "matte plastic and fabric", "a 7-inch touchscreen",
                          "video calls with family far away", 69, 179, "display"),
                ),
            ),
            _Leaf(
                "headphones-audio", "Headphones & Audio",
                "Headphones, earbuds and portable speakers for the holiday playlist.", "AUD",
                ("Soundpeak", "Echo Ridge", "Nimbus"),
                ("Wireless", "Studio", "Sport", "Everyday", "Signature"),
                ("Midnight Black", "Frost White", "Ruby Red", "Pine Green", "Glacier Blue"),
                ("audio", "music"),
                (
                    _Item("Noise-Cancelling Headphones", "memory-foam cushions and a steel headband",
                          "40 mm drivers and 30-hour battery life", "long flights home for the holidays", 59,
                          299, "headphones"),
                    _Item("True Wireless Earbuds", "sweat-resistant polymer",
                          "a pocket-size case that holds 24 hours of playback", "workouts and commutes", 39,
                          199, "earbuds"),
                    _Item("Portable Bluetooth Speaker", "waterproof silicone and fabric",
                          "a 360-degree driver and 12 hours of playtime", "holiday parties indoors and out",
                          34, 149, "speaker"),
                    _Item("Belt-Drive Turntable", "a wood-veneer plinth", "a built-in preamp and two speeds",
                          "spinning holiday classics on vinyl", 99, 299, "vinyl"),
                    _Item("Kids' Volume-Limited Headphones", "soft, bendable plastic",
                          "an 85 dB volume limit and cushioned ear cups", "tablet time on long car rides", 19,
                          39, "kids"),
                ),
            ),
        ),
    ),
    _TopLevel(
        "home-holiday-decor",
        "Home & Holiday Decor",
        "Ornaments, lights and greenery to dress every room for the holidays.",
        (
            _Leaf(
                "ornaments", "Ornaments", "Glass, wood and keepsake ornaments for every kind of tree.", "ORN",
                ("Aurora", "Evergreen Atelier", "Starling & Frost"),
                ("Heirloom", "Hand-Painted", "Vintage-Inspired", "Classic", "Glittered"),
                ("Midnight Blue", "Cranberry Red", "Champagne Gold", "Silver Frost", "Emerald"),
                ("ornaments", "christmas", "tree"),
                (
                    _Item("12-Pack Glass Ornament Set", "mouth-blown glass", "twelve 3-inch baubles",
                          "trimming a full-size tree", 19, 49, "baubles"),
                    _Item("Keepsake Ornament", "hand-finished porcelain",
                          "a 4-inch figure and a keepsake box",
                          "marking a baby's first Christmas or a new home", 14, 34, "keepsake"),
                    _Item("Tree Topper Star", "hand-shaped metal and glass beads",
                          "a 10-inch span that fits most trees", "crowning the tree", 24, 69, "topper"),
                    _Item("Wooden Ornament Set", "laser-cut birch plywood", "eighteen 3-inch shapes",
                          "rustic trees and gift-wrap tags", 14, 29, "wooden"),
                    _Item("Finial Ornament Trio", "mercury glass", "three 6-inch drops",
                          "filling gaps on a tall tree", 19, 44, "glass"),
                ),
            ),
            _Leaf(
                "string-lights", "String Lights",
                "LED light strings, icicles and curtains for indoors and out.",
                "LGT",
                ("Aurora", "Glowmere", "Lanternlight"),
                ("Twinkling", "Energy-Saving", "Weatherproof", "Connectable", "Classic"),
                ("Warm White", "Cool White", "Multicolor", "Amber", "Red & Green"),
                ("lights", "christmas", "decor"),
                (
                    _Item("100-LED Fairy Lights", "copper wire and LED micro-bulbs",
                          "a 33-foot run and 8 modes", "wrapping mantels, jars and banisters", 12, 29,
                          "fairy"),
                    _Item("C9 Bulb String", "shatter-resistant acrylic bulbs", "25 bulbs on a 24-foot cord",
                          "outlining rooflines and porches", 24, 59, "outdoor"),
                    _Item("Icicle Light Curtain", "UV-resistant PVC wire", "a 16-foot width and 360 LEDs",
                          "eaves, gutters and windows", 29, 69, "icicle"),
                    _Item("Net Lights", "flexible green wire", "a 6 x 4 foot grid of 150 LEDs",
                          "draping shrubs and hedges in minutes", 19, 44, "outdoor"),
                    _Item("App-Controlled Light String", "weatherproof LED nodes",
                          "a 65-foot string of 250 addressable LEDs", "custom light shows synced to music",
                          49, 129, "smart"),
                ),
            ),
            _Leaf(
                "wreaths-garlands", "Wreaths & Garlands",
                "Evergreen wreaths, garlands and swags, real-touch and pre-lit.",
                "WRG",
                ("Evergreen Atelier", "Hollyberry Lane", "Pinecrest"),
                ("Pre-Lit", "Frosted", "Real-Touch", "Rustic", "Classic"),
                ("Berry & Pine", "Snowy Birch", "Eucalyptus", "Magnolia", "Noble Fir"),
                ("decor", "christmas", "greenery"),
                (
                    _Item("Front Door Wreath", "real-touch needles on a steel frame", "a 24-inch diameter",
                          "greeting guests at the front door", 39, 99, "wreath"),
                    _Item("Mantel Garland", "mixed PVC and PE foliage", "a 9-foot length",
                          "draping mantels and staircases", 29, 79, "garland"),
                    _Item("Tabletop Centerpiece", "preserved greenery and pinecones", "an 18-inch oval base",
                          "holiday dinner tables", 29, 69, "centerpiece"),
                    _Item("Window Swag", "faux pine and ribbon", "a 30-inch drop", "windows and lamp posts",
                          24, 49, "swag"),
                    _Item("Mini Wreath Trio", "dried botanicals on grapevine", "three 10-inch wreaths",
                          "kitchen cabinets and bedroom doors", 29, 59, "wreath"),
                ),
            ),
        ),
    ),
    _TopLevel(
        "kitchen-entertaining",
        "Kitchen & Entertaining",
        "Cookware, bakeware and serveware for holiday feasts and cookie swaps.",
        (
            _Leaf(
                "cookware", "Cookware", "Dutch ovens, skillets and roasters for the holiday feast.", "CKW",
                ("Copperleaf", "Hearthstone Kitchen", "Maison Noel"),
                ("Professional", "Classic", "Heritage", "Everyday", "Chef's"),
                ("Cherry Red", "Matte Black", "Sea Salt", "Juniper", "Graphite"),
                ("kitchen", "cooking"),
                (
                    _Item("Enameled Dutch Oven", "enameled cast iron", "a 5.5-quart capacity",
                          "slow braises and holiday roasts", 79, 249, "dutchoven"),
                    _Item("Cast-Iron Skillet", "pre-seasoned cast iron", "a 12-inch cooking surface",
                          "searing, baking and skillet cornbread", 29, 79, "skillet"),
                    _Item("Roasting Pan with Rack", "tri-ply stainless steel", "room for a 20 lb turkey",
                          "the Thanksgiving and Christmas bird", 59, 149, "roasting"),
                    _Item("Nonstick Cookware Set", "ceramic-coated aluminum", "10 pieces including 2 lids",
                          "everyday cooking for a busy household", 99, 299, "cookware"),
                    _Item("Saucier Pan", "5-ply stainless steel", "a 3-quart capacity",
                          "gravy, risotto and cranberry sauce", 49, 129, "saucepan"),
                ),
            ),
            _Leaf(
                "bakeware", "Bakeware", "Cookie sheets, cake pans and decorating kits for holiday baking.",
                "BKW",
                ("Sugarplum Bakeworks", "Hearthstone Kitchen", "Copperleaf"),
                ("Nonstick", "Heavy-Gauge", "Festive", "Classic", "Pro"),
                ("Snowflake", "Gingerbread", "Candy Cane", "Classic Silver", "Gold"),
                ("baking", "kitchen"),
                (
                    _Item("Cookie Sheet Set", "aluminized steel", "two 13 x 18 inch half-sheet pans",
                          "cookie swaps and sheet-pan dinners", 24, 49, "cookies"),
                    _Item("Bundt Pan", "cast aluminum", "a 10-cup capacity", "showstopping holiday cakes", 29,
                          59, "cake"),
                    _Item("Cookie Cutter Collection", "food-grade stainless steel",
                          "24 shapes in a storage tin", "decorating with kids", 14, 29, "cutters"),
                    _Item("Silicone Baking Mat Duo", "food-grade silicone and fiberglass",
                          "two half-sheet-size mats", "no-stick cookies and candy", 14, 29, "mats"),
                    _Item("Springform Pan", "heavy carbon steel", "a 9-inch leakproof base",
                          "cheesecakes and layered tortes", 19, 39, "cake"),
                ),
            ),
            _Leaf(
                "serveware", "Serveware & Tabletop",
                "Platters, boards and table linens for hosting in style.",
                "SRV",
                ("Maison Noel", "Winterberry Table", "Oak & Ember"),
                ("Artisan", "Farmhouse", "Elegant", "Rustic", "Festive"),
                ("Ivory", "Evergreen", "Cranberry", "Natural", "Charcoal"),
                ("entertaining", "tabletop"),
                (
                    _Item("Charcuterie Board", "acacia wood and a slate insert",
                          "an 18 x 12 inch surface and 4 cheese knives", "grazing spreads at holiday parties",
                          34, 89, "charcuterie"),
                    _Item("Serving Platter", "glazed stoneware", "a 16-inch oval",
                          "carving the roast at the table", 29, 69, "platter"),
                    _Item("Linen Table Runner", "stonewashed linen", "a 14 x 108 inch length",
                          "setting a festive table", 24, 49, "linens"),
                    _Item("Dinnerware Set", "chip-resistant porcelain", "a 16-piece service for four",
                          "holiday dinners and everyday meals", 59, 149, "dinnerware"),
                    _Item("Cake Stand with Dome", "tempered glass on a ceramic base", "a 12-inch plate",
                          "showing off holiday desserts", 29, 69, "dessert"),
                ),
            ),
        ),
    ),
    _TopLevel(
        "outdoor-winter",
        "Outdoor & Winter",
        "Warm layers and snow-day gear for getting outside when it's cold.",
        (
            _Leaf(
                "winter-apparel", "Winter Apparel",
                "Hats, gloves, boots and jackets built for real winter weather.",
                "WNT",
                ("Northpine", "Alpine Loft", "Frostline"),
                ("Insulated", "Everyday", "Trailhead", "Summit", "Expedition"),
                ("Black", "Glacier Blue", "Forest Green", "Burgundy", "Charcoal Heather"),
                ("winter", "apparel", "outdoor"),
                (
                    _Item("Puffer Jacket", "recycled ripstop nylon and 650-fill down",
                          "a packable fit in sizes XS to XXL", "cold commutes and winter hikes", 99, 249,
                          "jacket"),
                    _Item("Knit Beanie", "merino wool", "a one-size-fits-most cuff",
                          "everyday warmth from the slopes to the city", 19, 39, "hat"),
                    _Item("Touchscreen Gloves", "windproof softshell and conductive fingertips",
                          "a snug fit in sizes S to XL", "texting without freezing your fingers", 24, 49,
                          "gloves"),
                    _Item("Snow Boots", "waterproof leather and rubber shells",
                          "a 200-gram insulated lining in sizes 5 to 13", "trudging through deep snow", 79,
                          179, "boots"),
                    _Item("Thermal Base Layer Set", "a moisture-wicking merino blend",
                          "a crew top and leggings", "layering under ski gear", 49, 119, "baselayer"),
                ),
            ),
            _Leaf(
                "sleds-snow-gear", "Sleds & Snow Gear",
                "Sleds, snowshoes and snow-day essentials for the family.",
                "SLD",
                ("Summit Glide", "Frostline", "Northpine"),
                ("Classic", "Lightweight", "Heavy-Duty", "Family", "Trail"),
                ("Red", "Arctic White", "Blaze Orange", "Royal Blue", "Lime"),
                ("snow", "outdoor", "winter"),
                (
                    _Item("Toboggan Sled", "steam-bent ash wood", "a 48-inch deck for 2 riders",
                          "snow days on the neighborhood hill", 69, 179, "sled"),
                    _Item("Foam Snow Tube", "cold-crack-resistant vinyl over foam",
                          "a 40-inch diameter and 2 handles", "fast runs for kids and grown-ups", 24, 59,
                          "tube"),
                    _Item("Snowshoe Kit", "aluminum frames and steel crampons",
                          "25-inch decks, poles and a carry bag", "exploring snowy trails", 89, 199,
                          "snowshoes"),
                    _Item("Snow Shovel", "a polypropylene blade on a steel shaft", "an 18-inch blade",
                          "clearing walks and driveways", 24, 49, "shovel"),
                    _Item("Snowball Maker Set", "impact-resistant plastic",
                          "two scoops and a fort-block mold", "backyard snowball battles", 12, 24, "kids"),
                ),
            ),
        ),
    ),
    _TopLevel(
        "beauty",
        "Beauty",
        "Skincare sets and seasonal fragrances, gift-boxed and ready to wrap.",
        (
            _Leaf(
                "skincare-sets", "Skincare Sets", "Hydrating routines and travel minis, boxed for giving.",
                "SKN",
                ("Velvet Birch", "Glacier Bloom", "Dew & Ember"),
                ("Hydrating", "Radiance", "Overnight", "Gentle", "Winter Rescue"),
                ("Rose", "Vanilla Oat", "Fragrance-Free", "Citrus", "Cucumber Mint"),
                ("beauty", "skincare", "selfcare"),
                (
                    _Item("Skincare Gift Set", "hyaluronic acid and squalane",
                          "a cleanser, serum and 1.7 oz moisturizer", "a simple morning-and-night routine",
                          39, 99, "routine"),
                    _Item("Hand Cream Trio", "shea butter and glycerin", "three 1 oz travel tubes",
                          "winter-chapped hands", 14, 29, "handcare"),
                    _Item("Lip Care Set", "beeswax and plant oils", "a scrub, balm and overnight mask",
                          "soft lips in dry winter air", 14, 34, "lips"),
                    _Item("Sheet Mask Collection", "biodegradable cellulose", "twelve single-use masks",
                          "at-home spa nights", 19, 39, "masks"),
                    _Item("Whipped Body Butter", "shea and cocoa butter", "an 8 oz jar",
                          "deep hydration after a hot shower", 19, 44, "bodycare"),
                ),
            ),
            _Leaf(
                "fragrance-candles", "Fragrance & Candles",
                "Seasonal scents, from eau de parfum to three-wick candles.",
                "FRG",
                ("Ember & Wick", "Fir & Fable", "Velvet Birch"),
                ("Signature", "Limited-Edition", "Cozy", "Fireside", "Winter Reserve"),
                ("Balsam Fir", "Cinnamon Ember", "Sugared Cranberry", "Frosted Vanilla", "Cedar Smoke"),
                ("fragrance", "scent"),
                (
                    _Item("Three-Wick Candle", "a soy and coconut wax blend",
                          "a 14 oz glass vessel and 45 hours of burn time",
                          "filling a room with holiday scent", 24, 49, "candle"),
                    _Item("Eau de Parfum", "a blend of fine fragrance oils", "a 1.7 oz spray bottle",
                          "evenings out and holiday parties", 49, 129, "perfume"),
                    _Item("Reed Diffuser", "natural rattan reeds", "a 6 oz bottle that lasts about 3 months",
                          "entryways and guest bathrooms", 24, 49, "diffuser"),
                    _Item("Votive Candle Set", "natural soy wax", "six 2 oz votives",
                          "table settings and long baths", 19, 34, "votives"),
                    _Item("Wax Melt Sampler", "clean-burning soy wax", "twelve scented cubes",
                          "flameless fragrance with a warmer", 9, 19, "waxmelt"),
                ),
            ),
        ),
    ),
)
# fmt: on

# Description sentences; `{size}` reads after "with" / "features", `{use}` after "for". Verbs and
# determiners are placeholders so plural items ("Slipper Socks") read "these ... are".
_MATERIAL_SENTENCES = (
    "Crafted from {material}, {this} {adjective} {item} {comes} with {size}.",
    "{brand_possessive} {adjective} {item} {is} made from {material} and {features} {size}.",
    "{This} {item} from {brand} {combines} {material} with {size}.",
    "Made from {material}, the {adjective} {item} {features} {size}.",
)
_USE_SENTENCES = ("Ideal for {use}.", "Perfect for {use}.", "A favorite for {use}.", "Great for {use}.")
_COMBINED_SENTENCE = "Made from {material} with {size}, the {item} {is} ideal for {use}."
_GIFT_SENTENCES = (
    "Arrives in a ribbon-ready gift box, so it can go straight under the tree.",
    "A thoughtful holiday gift for the people who seem to have everything.",
    "Order by December 15 for holiday delivery; a gift receipt is included.",
    "Add a free gift message at checkout and we will tuck it into the holiday packaging.",
    "Wrap it for a Secret Santa swap or keep it for your own holiday traditions.",
)
_SMALL_GIFT_SENTENCES = (
    "An easy stocking stuffer that feels anything but last-minute this holiday season.",
    "Priced right for holiday gifts to teachers, neighbors and coworkers.",
)
_PREMIUM_GIFT_SENTENCES = (
    "A standout holiday gift worth saving for the big reveal on Christmas morning.",
    "Ships in premium gift packaging with a holiday card for your message.",
)
_HOLIDAY_TAGS = ("gift", "holiday", "christmas", "festive", "seasonal", "winter")
_SMALL_GIFT_MAX_MINOR = 3000
_PREMIUM_GIFT_MIN_MINOR = 10000

# Share of products per stock situation; the rest are healthy. Quotas, not odds, so every seed
# has out-of-stock, low-stock and overstocked items for the inventory agent to find.
_OUT_OF_STOCK_SHARE = 0.06
_LOW_STOCK_SHARE = 0.12
_VERY_HIGH_STOCK_SHARE = 0.04

# Fixed identities (seed-independent) so `hph token` and docs can name them. Phone numbers use the
# reserved fictional ranges (US 555-01xx, UK 020 7946 0xxx).
# fmt: off
_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "customer-ava", "ava.thompson@example.com", "Ava Thompson", "+14155550123", "customer",
        (
            DemoAddress("Ava Thompson", "1450 Market Street", "Apt 5B", "San Francisco", "CA", "94103", "US",
                        "+14155550123", True),
            DemoAddress("Ava Thompson", "500 Howard Street", "Suite 300", "San Francisco", "CA", "94105-1234",
                        "US", "+14155550123", False),
        ),
    ),
    DemoUser(
        "customer-liam", "liam.carter@example.com", "Liam Carter", "+13125550147", "customer",
        (
            DemoAddress("Liam Carter", "233 North Michigan Avenue", "", "Chicago", "IL", "60601", "US",
                        "+13125550147", True),
            DemoAddress("Margaret Carter", "18 Maple Ridge Road", "", "Naperville", "IL", "60540-4123", "US",
                        "+16305550162", False),
        ),
    ),
    DemoUser(
        "customer-maya", "maya.patel@example.com", "Maya Patel", "+12065550188", "customer",
        (
            DemoAddress("Maya Patel", "401 Pine Street", "Unit 1204", "Seattle", "WA", "98101", "US",
                        "+12065550188", True),
        ),
    ),
    DemoUser(
        "customer-oliver", "oliver.hughes@example.com", "Oliver Hughes", "+442079460321", "customer",
        (
            DemoAddress("Oliver Hughes", "14 Kensington Church Street", "Flat 2", "London", "", "W8 4EP",
                        "GB", "+442079460321", True),
        ),
    ),
    DemoUser(
        "customer-chloe", "chloe.tremblay@example.com", "Chloe Tremblay", "+16135550164", "customer",
        (
            DemoAddress("Chloe Tremblay", "150 Elgin Street", "Suite 1100", "Ottawa", "ON", "K2P 1L4", "CA",
                        "+16135550164", True),
        ),
    ),
    DemoUser("staff-sam", "sam.rivera@example.com", "Sam Rivera", "+15125550110", "staff", ()),
    DemoUser("admin-ada", "ada.lindqvist@example.com", "Ada Lindqvist", "+15125550111", "admin", ()),
)
# fmt: on


def demo_users() -> tuple[DemoUser, ...]:
    """The fixed demo identities (seed-independent): the storefront's dev sign-in offers them."""
    return _USERS


# --- generator ---------------------------------------------------------------------------------


def generate_catalog(seed: int = DEFAULT_SEED) -> DemoCatalog:
    """Builds the demo catalog; identical for equal seeds, different for different seeds."""
    rng = random.Random(seed)
    leaves = [leaf for top in _TREE for leaf in top.leaves]
    counts = _products_per_leaf(rng, len(leaves))
    products: list[DemoProduct] = []
    used_names: set[str] = set()
    for leaf, count in zip(leaves, counts, strict=True):
        products.extend(_leaf_products(rng, leaf, count, used_names))
    products = _with_stock_levels(rng, products)
    return DemoCatalog(categories=_categories(), products=tuple(products), users=_USERS)


def _categories() -> tuple[DemoCategory, ...]:
    categories: list[DemoCategory] = []
    for top in _TREE:
        categories.append(DemoCategory(top.id, top.name, top.description, "", _category_image(top.id)))
        categories.extend(
            DemoCategory(leaf.id, leaf.name, leaf.description, top.id, _category_image(leaf.id)) for leaf in top.leaves
        )
    return tuple(categories)


def _category_image(category_id: str) -> str:
    return f"{IMAGE_BASE_URL}/categories/{category_id}.jpg"


def _products_per_leaf(rng: random.Random, leaf_count: int) -> list[int]:
    """Spreads PRODUCT_COUNT over the leaves unevenly, each leaf keeping a floor."""
    counts = [MIN_PRODUCTS_PER_LEAF] * leaf_count
    weights = [rng.uniform(0.5, 1.5) for _ in range(leaf_count)]
    for index in rng.choices(range(leaf_count), weights=weights, k=PRODUCT_COUNT - sum(counts)):
        counts[index] += 1
    return counts


def _leaf_products(rng: random.Random, leaf: _Leaf, count: int, used_names: set[str]) -> list[DemoProduct]:
    # Sampling whole (brand, adjective, item, variant) combinations keeps names unique by
    # construction; `used_names` also guards against the same combination across leaves.
    combos = [
        (brand, adjective, item, variant)
        for brand, adjective, item, variant in itertools.product(
            leaf.brands, leaf.adjectives, leaf.items, leaf.variants
        )
        if not _repeats_a_word(adjective, item.noun, variant)
    ]
    rng.shuffle(combos)
    sku_numbers = sorted(rng.sample(range(1, 10_000), count))
    # One price per product line so colour/scent variants of the same line cost the same.
    line_prices: dict[tuple[str, str, str], int] = {}
    products: list[DemoProduct] = []
    for brand, adjective, item, variant in combos:
        if len(products) == count:
            break
        name = f"{brand} {adjective} {item.noun} — {variant}"
        if name in used_names:
            continue
        used_names.add(name)
        line = (brand, adjective, item.noun)
        if line not in line_prices:
            line_prices[line] = _charm_price_minor(rng.uniform(item.min_dollars, item.max_dollars))
        price_minor = line_prices[line]
        sku = f"{leaf.sku_prefix}-{sku_numbers[len(products)]:04d}"
        products.append(
            DemoProduct(
                id=sku,
                name=name,
                description=_description(rng, brand, adjective, item, price_minor),
                price_minor=price_minor,
                currency_code=CURRENCY_CODE,
                category_id=leaf.id,
                brand=brand,
                tags=_tags(rng, leaf, item, price_minor),
                image_url=f"{IMAGE_BASE_URL}/products/{sku}.jpg",
                stock_on_hand=0,
                reorder_point=0,
                safety_stock=0,
            )
        )
    if len(products) < count:
        raise ValueError(f"vocabulary of {leaf.id!r} is too small for {count} distinct products")
    return products


def _repeats_a_word(adjective: str, noun: str, variant: str) -> bool:
    """True for names like "Wireless True Wireless Earbuds" or "Classic ... — Classic Silver"."""
    adjective_words = set(_words(adjective))
    return bool(adjective_words & (set(_words(noun)) | set(_words(variant))))


def _words(phrase: str) -> list[str]:
    return phrase.lower().replace("-", " ").split()


def _charm_price_minor(dollars: float) -> int:
    """Rounds to a shelf price ending in .99 with steps that grow with the price (14.99, 24.99, 149.99)."""
    step = 1 if dollars < 20 else 5 if dollars < 100 else 10
    whole = max(step, round(dollars / step) * step)
    return whole * 100 - 1


def _description(rng: random.Random, brand: str, adjective: str, item: _Item, price_minor: int) -> str:
    plural = item.noun.endswith("s")  # every plural noun in the tables ends in "s", no singular does
    fields = {
        "this": "these" if plural else "this",
        "This": "These" if plural else "This",
        "is": "are" if plural else "is",
        "features": "feature" if plural else "features",
        "combines": "combine" if plural else "combines",
        "comes": "come" if plural else "comes",
        "brand": brand,
        "brand_possessive": f"{brand}'" if brand.endswith("s") else f"{brand}'s",
        "adjective": _lower_phrase(adjective),
        "item": _lower_phrase(item.noun),
        "material": item.material,
        "size": item.size,
        "use": item.use,
    }
    if rng.random() < 0.3:
        body = [_COMBINED_SENTENCE.format(**fields)]
    else:
        body = [rng.choice(_MATERIAL_SENTENCES).format(**fields), rng.choice(_USE_SENTENCES).format(**fields)]
    gift_pool: tuple[str, ...] = _GIFT_SENTENCES
    if price_minor < _SMALL_GIFT_MAX_MINOR:
        gift_pool += _SMALL_GIFT_SENTENCES
    elif price_minor >= _PREMIUM_GIFT_MIN_MINOR:
        gift_pool += _PREMIUM_GIFT_SENTENCES
    body.append(rng.choice(gift_pool))
    return " ".join(body)


def _lower_phrase(phrase: str) -> str:
    """Lower-cases a title for use mid-sentence, keeping acronyms and model-like words (STEM, C9, 100-LED)."""
    return " ".join(_lower_word(word) for word in phrase.split())


def _lower_word(word: str) -> str:
    parts = word.split("-")
    return "-".join(p if p.isupper() or any(c.isdigit() for c in p) else p.lower() for p in parts)


def _tags(rng: random.Random, leaf: _Leaf, item: _Item, price_minor: int) -> tuple[str, ...]:
    holiday = list(_HOLIDAY_TAGS)
    if price_minor < _SMALL_GIFT_MAX_MINOR:
        holiday.append("stocking")
    candidates = [*leaf.tags, item.tag, *rng.sample(holiday, rng.randint(1, 2))]
    return tuple(dict.fromkeys(candidates))[:6]


def _with_stock_levels(rng: random.Random, products: list[DemoProduct]) -> list[DemoProduct]:
    total = len(products)
    situations = (
        ["out"] * max(1, round(total * _OUT_OF_STOCK_SHARE))
        + ["low"] * max(1, round(total * _LOW_STOCK_SHARE))
        + ["very-high"] * max(1, round(total * _VERY_HIGH_STOCK_SHARE))
    )
    situations += ["healthy"] * (total - len(situations))
    rng.shuffle(situations)
    stocked: list[DemoProduct] = []
    for product, situation in zip(products, situations, strict=True):
        reorder_point = _reorder_point(rng, product.price_minor)
        safety_stock = max(1, round(reorder_point * rng.uniform(0.3, 0.5)))
        stock_on_hand = _stock_on_hand(rng, situation, reorder_point)
        stocked.append(
            dataclasses.replace(
                product, stock_on_hand=stock_on_hand, reorder_point=reorder_point, safety_stock=safety_stock
            )
        )
    return stocked


def _reorder_point(rng: random.Random, price_minor: int) -> int:
    """Cheap items sell in volume, so they reorder earlier than big-ticket ones."""
    if price_minor < 3000:
        return rng.randint(20, 40)
    if price_minor < 10000:
        return rng.randint(10, 24)
    return rng.randint(4, 12)


def _stock_on_hand(rng: random.Random, situation: str, reorder_point: int) -> int:
    if situation == "out":
        return 0
    if situation == "low":
        return rng.randint(1, reorder_point - 1)
    if situation == "very-high":
        return rng.randint(60, 250) * 10
    return rng.randint(reorder_point + 5, reorder_point * 6 + 20)

"""A simulated postal operator: realistic pre-advice, with a share of risky items.

Used by `manage.py simulate_operator` for demo data and as benchmark load. The
goods catalogue uses real HS 2022 subheadings with plausible retail prices; the
risky share mixes undervaluation, counterfeit brands, prohibited goods, split
shipments to one addressee and malformed records, as a real stream does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from faker import Faker

from core import s10

# (description, HS 2022 subheading, unit price range in USD, unit net weight in kg)
CATALOGUE = [
    ("Cotton T-shirt", "610910", (4, 25), 0.18),
    ("Women's knitted dress", "610442", (12, 60), 0.35),
    ("Men's jeans", "620342", (15, 70), 0.6),
    ("Running shoes", "640411", (25, 140), 0.8),
    ("Leather handbag", "420221", (30, 300), 0.9),
    ("Smartphone case", "392690", (2, 20), 0.05),
    ("USB-C charging cable", "854442", (2, 15), 0.06),
    ("Bluetooth earphones", "851830", (10, 120), 0.1),
    ("Smart watch", "851762", (25, 250), 0.15),
    ("LED desk lamp", "940521", (10, 60), 0.7),
    ("Ceramic coffee mug", "691200", (3, 18), 0.35),
    ("Stainless steel water bottle", "732393", (5, 30), 0.3),
    ("Children's plastic toy", "950300", (3, 40), 0.25),
    ("Board game", "950490", (10, 60), 0.9),
    ("Paperback book", "490199", (5, 30), 0.4),
    ("Face cream", "330499", (5, 80), 0.1),
    ("Perfume 50 ml", "330300", (20, 150), 0.2),
    ("Vitamin supplements", "210690", (8, 50), 0.2),
    ("Green tea", "090210", (4, 40), 0.25),
    ("Phone screen protector", "700719", (1, 10), 0.02),
    ("Silver ring", "711311", (15, 200), 0.01),
    ("Sunglasses", "900410", (5, 150), 0.05),
    ("Yoga mat", "392190", (10, 50), 1.0),
    ("Kitchen knife set", "821191", (15, 120), 1.1),
    ("Bicycle light", "851210", (5, 35), 0.15),
    ("Fishing lure set", "950790", (5, 30), 0.2),
    ("Wool scarf", "611710", (8, 60), 0.15),
    ("Laptop sleeve", "420212", (8, 45), 0.3),
    ("Mechanical keyboard", "847160", (30, 180), 1.0),
    ("Printed poster", "491199", (3, 25), 0.1),
]
BRANDS = ["Nike", "Adidas", "Louis Vuitton", "Gucci", "Rolex", "Apple", "Chanel", "Ray-Ban"]
BRANDED = [
    ("sneakers", "640411", 0.8),
    ("handbag", "420221", 0.9),
    ("watch", "910211", 0.15),
    ("sunglasses", "900410", 0.05),
    ("earphones", "851830", 0.1),
]
PROHIBITED = [
    ("Pistol grip and trigger assembly", "930591"),
    ("Cannabis seeds", "120999"),
    ("Carved ivory figurine", "960110"),
    ("Fireworks assortment", "360410"),
    ("Loose lithium battery cells", "850650"),
]
VAGUE = ["Gift", "Accessories", "Parts", "Goods", "Sample"]
ORIGINS = [("CN", 60), ("HK", 8), ("US", 8), ("GB", 5), ("TR", 5), ("DE", 4), ("KR", 3), ("JP", 3), ("IN", 4)]
CATEGORIES = [("SALE_OF_GOODS", 85), ("GIFT", 8), ("DOCUMENTS", 3), ("COMMERCIAL_SAMPLE", 2), ("RETURNED_GOODS", 2)]
PLATFORMS = ["example-marketplace", "globalshop", "fastbuy", "craftbazaar", ""]
SERVICES = ["LX", "RB", "UA", "CP", "EE"]


@dataclass
class Mix:
    risky_share: float = 0.1
    malformed_share: float = 0.02
    destination: str = "BA"
    currency: str = "USD"


# Cities with their postcodes, for countries whose Faker locale has none of its own.
PLACES = {
    "BA": [
        ("Sarajevo", "71000"),
        ("Banja Luka", "78000"),
        ("Tuzla", "75000"),
        ("Zenica", "72000"),
        ("Mostar", "88000"),
        ("Bihać", "77000"),
        ("Brčko", "76100"),
        ("Trebinje", "89101"),
    ],
    "CN": [("Shenzhen", "518000"), ("Guangzhou", "510000"), ("Yiwu", "322000"), ("Shanghai", "200000")],
    "HK": [("Kowloon", "999077"), ("Kwun Tong", "999077"), ("Sha Tin", "999077")],
    "TR": [("Istanbul", "34000"), ("Izmir", "35000"), ("Bursa", "16000")],
    "KR": [("Seoul", "04524"), ("Busan", "48058"), ("Incheon", "21554")],
    "IN": [("Mumbai", "400001"), ("Delhi", "110001"), ("Bengaluru", "560001")],
}
STREETS = {
    "BA": ["Ferhadija", "Maršala Tita", "Zmaja od Bosne", "Kralja Petra I", "Trg slobode", "Bulevar Meše Selimovića"],
    "CN": ["Keji Road", "Shennan Avenue", "Futian Road", "Nanshan Street"],
    "HK": ["Nathan Road", "Hoi Bun Road", "Sha Tin Centre Street"],
    "TR": ["Istiklal Caddesi", "Atatürk Bulvarı"],
    "KR": ["Teheran-ro", "Jong-ro"],
    "IN": ["MG Road", "Linking Road"],
}
FLAT = {"BA": "stan", "TR": "daire", "KR": "ho", "CN": "room", "HK": "flat", "IN": "flat"}
LOCALES = {"GB": "en_GB", "US": "en_US", "DE": "de_DE", "FR": "fr_FR", "HR": "hr_HR", "IT": "it_IT", "JP": "ja_JP"}


class OperatorSimulator:
    """Generates pre-advice items; deterministic for a given seed."""

    def __init__(self, *, seed: int | None = None, mix: Mix | None = None) -> None:
        self.rng = random.Random(seed)
        self.faker = Faker(["en_GB", "de_DE", "fr_FR", "hr_HR"])
        self.faker.seed_instance(seed)
        self.mix = mix or Mix()
        self._split_addressee: dict | None = None
        self._local_fakers: dict[str, Faker] = {}
        self._split_left = 0

    def batch(self, size: int) -> list[dict]:
        return [self.item() for _ in range(size)]

    def item(self) -> dict:
        roll = self.rng.random()
        if roll < self.mix.malformed_share:
            return self._malformed(self._base())
        if roll < self.mix.malformed_share + self.mix.risky_share:
            risky = self.rng.choice([self._undervalued, self._counterfeit, self._prohibited, self._split, self._vague])
            return self._with_gross_weight(risky())
        return self._base()

    @staticmethod
    def _with_gross_weight(item: dict) -> dict:
        """Packaging on top of the contents' net weight."""
        net = sum(Decimal(line["netWeightKg"]) for line in item["contents"])
        item["grossWeightKg"] = str((net + Decimal("0.080")).quantize(Decimal("0.001")))
        return item

    # --- building blocks ---------------------------------------------------------------

    def _weighted(self, pairs):
        return self.rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]

    def _party(self, country: str) -> dict:
        city, postcode, street = self._place(country)
        return {
            "name": self.faker.name(),
            "address": street,
            "city": city,
            "postcode": postcode,
            "country": country,
            "email": self.faker.email(),
            "phone": f"+{self.rng.randint(30, 99)} {self.rng.randint(100, 999)} {self.rng.randint(100000, 999999)}",
        }

    def _place(self, country: str) -> tuple[str, str, str]:
        """A city, postcode and street that belong together in that country."""
        if country in PLACES:
            city, postcode = self.rng.choice(PLACES[country])
            street = f"{self.rng.choice(STREETS.get(country, STREETS['BA']))} {self.rng.randint(1, 240)}"
            if self.rng.random() < 0.6:  # most people in these cities live in flats
                street += f", {FLAT.get(country, 'flat')} {self.rng.randint(1, 60)}"
            return city, postcode, street
        local = LOCALES.get(country)
        faker = self._local_fakers.setdefault(country, Faker(local)) if local else self.faker
        if local:
            faker.seed_instance(self.rng.randrange(2**32))
        return faker.city()[:100], faker.postcode()[:20], faker.street_address().replace("\n", ", ")[:300]

    def _line(self, origin: str, goods=None) -> dict:
        description, hs_code, (low, high), weight = goods or self.rng.choice(CATALOGUE)
        quantity = self.rng.choices([1, 2, 3, 5], weights=[70, 18, 8, 4])[0]
        price = Decimal(str(round(self.rng.uniform(low, high), 2)))
        return {
            "description": description,
            "quantity": quantity,
            "netWeightKg": str(Decimal(str(weight * quantity)).quantize(Decimal("0.001"))),
            "value": str((price * quantity).quantize(Decimal("0.01"))),
            "hsCode": hs_code,
            "originCountry": origin,
        }

    def _base(self) -> dict:
        origin = self._weighted(ORIGINS)
        category = self._weighted(CATEGORIES)
        if category == "DOCUMENTS":
            contents = [{"description": "Business documents", "quantity": 1, "netWeightKg": "0.100", "value": "0"}]
        else:
            contents = [self._line(origin) for _ in range(self.rng.choices([1, 2, 3], weights=[75, 20, 5])[0])]
        item = {
            "itemId": s10.make(self.rng.choice(SERVICES), self.rng.randrange(10**8), origin),
            "category": category,
            "sender": self._party(origin),
            "addressee": self._party(self.mix.destination),
            "currency": self.mix.currency,
            "postalCharges": str(Decimal(self.rng.randint(300, 1500)) / 100),
            "contents": contents,
        }
        platform = self.rng.choice(PLATFORMS)
        if platform and category == "SALE_OF_GOODS":
            item["platform"] = platform
        return self._with_gross_weight(item)

    # --- risky items -------------------------------------------------------------------

    def _undervalued(self) -> dict:
        item = self._base()
        for line in item.get("contents", []):
            line["value"] = str((Decimal(line["value"]) / 20).quantize(Decimal("0.01")) or Decimal("0.50"))
        return item

    def _counterfeit(self) -> dict:
        item = self._base()
        brand = self.rng.choice(BRANDS)
        noun, hs_code, weight = self.rng.choice(BRANDED)
        item["category"] = "SALE_OF_GOODS"
        item["contents"] = [self._line(item["sender"]["country"], (f"{brand} {noun}", hs_code, (8, 25), weight))]
        return item

    def _prohibited(self) -> dict:
        item = self._base()
        description, hs_code = self.rng.choice(PROHIBITED)
        item["category"] = "SALE_OF_GOODS"
        item["contents"] = [self._line(item["sender"]["country"], (description, hs_code, (10, 80), 0.5))]
        return item

    def _vague(self) -> dict:
        item = self._base()
        if item["category"] != "DOCUMENTS":
            item["contents"][0]["description"] = self.rng.choice(VAGUE)
        return item

    def _split(self) -> dict:
        """Several items to one addressee, each just under a threshold."""
        if self._split_left <= 0:
            self._split_addressee = self._party(self.mix.destination)
            self._split_left = self.rng.randint(3, 5)
        self._split_left -= 1
        item = self._base()
        item["category"] = "SALE_OF_GOODS"
        item["addressee"] = dict(self._split_addressee)
        item["contents"] = [self._line(item["sender"]["country"], ("Smart watch", "851762", (120, 148), 0.15))]
        item["contents"][0]["quantity"] = 1
        return item

    def _malformed(self, item: dict) -> dict:
        kind = self.rng.randrange(4)
        if kind == 0:
            item["itemId"] = item["itemId"][:10] + str((int(item["itemId"][10]) + 1) % 10) + item["itemId"][11:]
        elif kind == 1 and item["category"] != "DOCUMENTS":
            del item["contents"][0]["hsCode"]
        elif kind == 2:
            item["currency"] = "DOLLARS"
        else:
            item["addressee"]["country"] = "XX"
        return item

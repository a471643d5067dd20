"""The goods model reads what a parcel holds, family by family and language by language: goods customs stop are
found whatever the code declared, and innocent goods that share a word with a controlled family are not."""

from decimal import Decimal

import pytest

from clearance.choices import Lane
from clearance.models import Consignment
from risk.choices import RuleKind
from risk.engine import Engine
from risk.goods.findings import goods_pass
from risk.goods.scoring import LineFacts
from risk.rules import CompiledRule
from tests.factories import ConsignmentFactory

GOODS_CODES = {"goods.controlled", "goods.controlled_misdeclared", "goods.counterfeit_brand", "goods.copy_offer"}

# (family, language, description, declared HS code): some declared under their own code, some under a harmless one.
STOP = [
    ("weapons", "en", "Glock 19 Gen5 complete slide assembly", "950300"),
    ("weapons", "de", "Springmesser mit Klinge 9 cm", "821191"),
    ("weapons", "bcs", "Bokser od mesinga 4 prsta", "830629"),
    ("weapons", "fr", "Poing américain en acier", "732690"),
    ("weapons", "pinyin", "tan huang dao 22cm zi dong", "821191"),
    ("weapons", "es", "Silenciador para rifle calibre 22", "870899"),
    ("ammunition", "en", "9mm Luger FMJ cartridges 50 rounds", "930621"),
    ("ammunition", "de", "Schreckschuss Munition 9mm PAK 50 Stück", "930690"),
    ("ammunition", "bcs", "Petarde Kobra 6 komada", "360410"),
    ("ammunition", "fr", "Cartouches calibre 12 boîte de 25", "930621"),
    ("narcotics", "en", "Psilocybin mushroom grow kit with spores", "060290"),
    ("narcotics", "de", "Kokain 5g", "090230"),
    ("narcotics", "bcs", "Marihuana 10 grama", "121190"),
    ("narcotics", "pinyin", "ke ka yin 10 ke", "210690"),
    ("narcotics", "es", "Cristal de metanfetamina 2g", "330499"),
    ("narcotics", "fr", "Résine de cannabis 25g", "130219"),
    ("medicines", "en", "Semaglutide 5mg vial peptide pen", "300490"),
    ("medicines", "de", "Tramadol 100mg Tabletten 30 Stück", "210690"),
    ("medicines", "bcs", "Ozempic olovka 1 mg", "300490"),
    ("medicines", "fr", "Oxycodone 20 mg comprimés", "300490"),
    ("medicines", "es", "Clonazepam 2mg 60 tabletas", "210690"),
    ("cites", "en", "Elephant ivory carved bangle", "711719"),
    ("cites", "de", "Schildpatt Kamm echt", "961590"),
    ("cites", "fr", "Corne de rhinocéros poudre 10g", "121190"),
    ("cites", "bcs", "Slonovača rezbarena figura", "960110"),
    ("counterfeit", "en", "Rolex Submariner replica AAA 1:1", "910221"),
    ("counterfeit", "de", "Louis Vuitton Tasche Kopie Spiegelqualität", "420221"),
    ("counterfeit", "es", "Zapatillas Nike Air Jordan réplica calidad espejo", "640411"),
    ("counterfeit", "fr", "Sac Chanel copie conforme", "420221"),
    ("currency_documents", "en", "Fake passport blank booklet", "491199"),
    ("currency_documents", "de", "Falschgeld 50 Euro Scheine", "491199"),
    ("currency_documents", "bcs", "Lažna lična karta", "491199"),
    ("currency_documents", "fr", "Faux permis de conduire", "491199"),
    ("dangerous", "en", "Mercury 1kg flask liquid metal", "280540"),
    ("dangerous", "de", "Quecksilber 500g", "280540"),
    ("dangerous", "fr", "Cyanure de potassium 100 g", "283719"),
    ("dangerous", "en", "Asbestos sheet insulation panel", "681290"),
    ("nicotine", "en", "Snus 20 cans strong nicotine pouches", "240391"),
    ("nicotine", "de", "Nikotinbeutel 10 Dosen", "210690"),
    ("nicotine", "bcs", "Cigarete Marlboro 10 boksova", "240220"),
    ("nicotine", "fr", "E-liquide nicotine 20mg 10ml", "382499"),
    # what makes a document is the forgery, not other goods: a template's PVC card, a hologram sticker
    ("currency_documents", "en", "Driving licence template PVC card custom print any name", "392690"),
    ("currency_documents", "de", "Personalausweis Muster Rohling mit Hologramm Folie", "491199"),
    ("currency_documents", "ru", "Голограмма наклейка для водительского удостоверения 100 шт", "491199"),
    # a seal of an authority made to order: its coat of arms or its ministry's name confirms the seal
    ("currency_documents", "pl", "Pieczątka okrągła z godłem RP urząd stanu cywilnego", "961100"),
    ("currency_documents", "bcs", "Pečat okrugli po uzorku Republika Srbija Ministarstvo", "961100"),
    # a pinyin term right after a word that begins another term across written words
    ("currency_documents", "pinyin", "ding zhi huzhao pi + nei ye, ren he guo jia, fangwei jiguang", "491199"),
    # goods named by what they do or by their specification
    ("dual_use", "en", "8 antenna signal shielding device 2G 3G 4G 5G WiFi GPS desktop", "851762"),
    ("dual_use", "ru", "GPS модуль no COCOM limit высота/скорость", "852691"),
    ("weapons", "en", "flashlite 50000KV rechargable self defence", "851310"),
    # a link word between the goods and a head: the head is what the goods serve, or come with
    ("dangerous", "es", "cartuchos gas butano para soplete 6 uds", "271111"),
    # GBL sold as a wheel cleaner is the GBL
    ("narcotics", "en", "GBL alloy wheel cleaner 1L 99.9%", "340290"),
]

# Innocent goods sharing a word with a family: a tool named after a weapon, a perfume named after a drug, a pattern
# named after an animal, "-free", "compatible with", "imitation" in its retail sense.
INNOCENT = [
    ("weapons", "en", "Glue gun 20W with 10 sticks", "851580"),
    ("weapons", "fr", "Couteau de cuisine 20 cm inox", "821191"),
    ("weapons", "de", "Massagepistole mit 6 Aufsätzen", "901910"),
    ("weapons", "en", "Water gun toy for kids summer", "950300"),
    ("narcotics", "en", "YSL Opium eau de parfum 90ml", "330300"),
    ("narcotics", "en", "Hemp seed oil cold pressed 250ml", "151590"),
    ("narcotics", "bcs", "Kafa mljevena 500g", "090121"),
    ("narcotics", "de", "Mohnsamen zum Backen 250g", "120791"),
    ("medicines", "en", "Vitamin C 1000mg 60 tablets", "210690"),
    ("medicines", "de", "Pinzette Edelstahl", "820320"),
    ("medicines", "fr", "Tisane camomille 20 sachets", "121190"),
    ("cites", "en", "Leopard print scarf polyester", "621420"),
    ("cites", "de", "Kunstleder Jacke Krokodil Optik", "420310"),
    ("cites", "bcs", "Jakna od eko kože", "420310"),
    ("counterfeit", "en", "Imitation pearl necklace glass beads", "711719"),
    ("counterfeit", "fr", "Maquette réplique avion échelle 1/72", "950300"),
    ("counterfeit", "en", "Phone case compatible with iPhone 15", "392690"),
    ("dangerous", "en", "Lithium grease multipurpose 400g", "340319"),
    ("dangerous", "de", "Quecksilberfreies Thermometer digital", "902519"),
    ("dangerous", "en", "Asbestos-free brake pads set", "681381"),
    ("nicotine", "en", "Nicotine-free herbal tea blend 100g", "090240"),
    ("nicotine", "de", "Raucherentwöhnung Kaugummi ohne Nikotin Minze", "170410"),
    ("ammunition", "en", "Bath bomb gift set lavender", "330730"),
    ("ammunition", "en", "Dynamite hot sauce 150ml", "210390"),
    ("ammunition", "de", "Patronengurt Gürtel Leder Mode", "420330"),
    ("currency_documents", "es", "Sellos de goma para manualidades scrapbooking flores 20 piezas", "961100"),
    (
        "currency_documents",
        "en",
        "Passport holder travel wallet PU leather with card slots, family 4 passports",
        "420232",
    ),
    ("waste", "en", "Kitchen waste bin 30L dual compartment recycling sorter", "732393"),
    ("counterfeit", "fr", "Piles alcalines AAA Energizer 8 unités", "850610"),
    ("counterfeit", "fr", "Miroir de maquillage LED grossissant x10, qualité miroir HD", "701391"),
    ("weapons", "es", "pastillero semanal 7 días", "392490"),
    ("narcotics", "fr", "sels de bain eucalyptus 500 g", "330730"),
    ("dangerous", "sl", "radijski postaji PMR446 par brez licence", "852560"),
]


def read(description, hs_code, value="20.00", quantity=1):
    (reading,) = goods_pass([[LineFacts(description, hs_code, quantity, Decimal(value), None)]])
    return reading.findings


@pytest.mark.parametrize(("family", "language", "description", "hs_code"), STOP)
def test_goods_customs_stop_are_read_in_their_language(family, language, description, hs_code):
    codes = {finding.code for finding in read(description, hs_code)}
    assert codes & GOODS_CODES, (family, language, description)


@pytest.mark.parametrize(("family", "language", "description", "hs_code"), INNOCENT)
def test_innocent_goods_that_share_a_word_are_not_controlled(family, language, description, hs_code):
    assert not [f.code for f in read(description, hs_code) if f.code.startswith("goods.")], description


def test_a_controlled_family_under_a_harmless_code_names_both():
    (finding,) = read("Pfefferspray 40 ml Abwehrspray", "851310")
    assert finding.code == "goods.controlled_misdeclared"
    assert finding.params["declared_hs"] == "851310" and finding.params["words"].startswith("pfefferspray")
    assert finding.lane in (Lane.RED, Lane.YELLOW)  # to an officer, whatever the code said


def test_a_brand_alone_is_no_finding_and_a_brand_with_a_copy_cue_is():
    assert read("Nike Air Max 90 sneakers", "640411", value="120.00") == []
    (finding,) = read("Nike Air Max 90 replica 1:1 mirror quality", "640411", value="120.00")
    assert (finding.code, finding.params["brand"]) == ("goods.counterfeit_brand", "Nike")


@pytest.mark.parametrize(
    ("description", "value", "flagged"),
    [
        ("Apple iPhone 16 Pro 256GB", "45.00", True),  # a phone at a twentieth of the least it sells for
        ("Sony PlayStation 5 Slim console", "30.00", True),
        ("Silikonska maska za iPhone 16", "4.50", False),  # a case for the phone, at a case's price
        ("Apple iPhone 16 Pro 256GB", "1100.00", False),
    ],
)
def test_valued_goods_far_below_the_least_they_sell_for_are_flagged_and_cheap_goods_are_not(
    description, value, flagged
):
    codes = [finding.code for finding in read(description, "851713", value=value)]
    assert ("value.below_reference" in codes) is flagged


@pytest.mark.django_db
def test_the_catalogue_does_not_fire_on_a_word_the_goods_model_reads_as_only_describing(settings):
    settings.OPENCLEAR_RISK_RANDOM_RATE = 0.0
    rule = CompiledRule(
        code="counterfeit-goods",
        version=1,
        kind=RuleKind.PROHIBITED,
        description="Goods offered as copies of brands",
        condition={"keywords": ["imitation", "replica"], "goods": "counterfeit goods"},
        force_lane=Lane.YELLOW,
        score=Decimal("0"),
    )
    engine = Engine(rules=[rule], model=None, thresholds=(0.7, 0.3), random_rate=0.0)

    def lane(description, hs_code):
        item = ConsignmentFactory(lines=[{"description": description, "hs_code": hs_code}])
        item = Consignment.objects.prefetch_related("lines").select_related("operator").get(pk=item.pk)
        return engine.assess([item])[item.pk].lane

    assert lane("Imitation pearl necklace glass beads 45 cm", "711719") == Lane.GREEN
    assert lane("Gucci belt imitation AAA quality", "420330") == Lane.YELLOW


@pytest.mark.parametrize(
    ("description", "hs_code", "named"),
    [
        ("ΥΔΡΑΡΓΥΡΟΣ 500g", "280540", True),  # Greek capitals read as the word, not letter by letter
        ("υδράργυρος 500g", "280540", True),
        ("Sjemenke marijuane 10 kom", "120999", True),  # inflected, the term ending otherwise
        ("Biljna mješavina za nargilu bez nikotina i duhana 200g", "210690", False),  # one negation, two goods
        ("Liquid 0mg Nikotinfrei 10ml Tabak Vanille", "330210", False),
        ("Nicotine pouches tobacco free 20mg 5 cans", "240499", True),  # without tobacco, not without nicotine
        ("UV counterfeit detector pen for banknotes", "902780", False),
    ],
)
def test_reading_through_script_inflection_and_negation(description, hs_code, named):
    assert bool({f.code for f in read(description, hs_code)} & GOODS_CODES) is named, description

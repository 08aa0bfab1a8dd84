"""Regions, départements (with their chef-lieu), big cities, arrondissements, countries and continents.

Coordinates are approximate (a few km): they only need to look real and to make distances between
communes plausible.
"""

from __future__ import annotations

from typing import NamedTuple


class Region(NamedTuple):
    code: str
    libelle: str  # spelling of /referentiel/regions ("Ile-de-France", no circumflex)
    nested_libelle: str  # spelling of the region nested in /referentiel/departements


REGIONS: tuple[Region, ...] = (
    Region("01", "Guadeloupe", "Guadeloupe"),
    Region("02", "Martinique", "Martinique"),
    Region("03", "Guyane", "Guyane"),
    Region("04", "La Réunion", "La Réunion"),
    Region("06", "Mayotte", "Mayotte"),
    # The real API spells it without the circumflex here and with it inside /departements.
    Region("11", "Ile-de-France", "Île-de-France"),
    Region("24", "Centre-Val de Loire", "Centre-Val de Loire"),
    Region("27", "Bourgogne-Franche-Comté", "Bourgogne-Franche-Comté"),
    Region("28", "Normandie", "Normandie"),
    Region("32", "Hauts-de-France", "Hauts-de-France"),
    Region("44", "Grand Est", "Grand Est"),
    Region("52", "Pays de la Loire", "Pays de la Loire"),
    Region("53", "Bretagne", "Bretagne"),
    Region("75", "Nouvelle-Aquitaine", "Nouvelle-Aquitaine"),
    Region("76", "Occitanie", "Occitanie"),
    Region("84", "Auvergne-Rhône-Alpes", "Auvergne-Rhône-Alpes"),
    Region("93", "Provence-Alpes-Côte d'Azur", "Provence-Alpes-Côte d'Azur"),
    Region("94", "Corse", "Corse"),
)


class Departement(NamedTuple):
    code: str
    libelle: str
    region: str
    chef_lieu: str  # upper case, no accents, no hyphens (the communes referentiel's spelling)
    insee: str
    postcode: str
    lat: float
    lon: float
    weight: float  # relative share of the job market (roughly population-driven)


_DEPARTEMENTS = """\
01|Ain|84|BOURG EN BRESSE|01053|01000|46.205|5.226|0.9
02|Aisne|32|LAON|02408|02000|49.564|3.620|0.7
03|Allier|84|MOULINS|03190|03000|46.566|3.333|0.5
04|Alpes-de-Haute-Provence|93|DIGNE LES BAINS|04070|04000|44.092|6.236|0.3
05|Hautes-Alpes|93|GAP|05061|05000|44.559|6.079|0.3
06|Alpes-Maritimes|93|NICE|06088|06000|43.710|7.262|1.8
07|Ardèche|84|PRIVAS|07186|07000|44.735|4.599|0.5
08|Ardennes|44|CHARLEVILLE MEZIERES|08105|08000|49.773|4.720|0.4
09|Ariège|76|FOIX|09122|09000|42.965|1.607|0.2
10|Aube|44|TROYES|10387|10000|48.297|4.074|0.5
11|Aude|76|CARCASSONNE|11069|11000|43.213|2.349|0.5
12|Aveyron|76|RODEZ|12202|12000|44.350|2.575|0.4
13|Bouches-du-Rhône|93|MARSEILLE|13055|13001|43.296|5.370|3.2
14|Calvados|28|CAEN|14118|14000|49.182|-0.370|1.1
15|Cantal|84|AURILLAC|15014|15000|44.926|2.440|0.2
16|Charente|75|ANGOULEME|16015|16000|45.648|0.156|0.5
17|Charente-Maritime|75|LA ROCHELLE|17300|17000|46.160|-1.151|1.0
18|Cher|24|BOURGES|18033|18000|47.081|2.399|0.4
19|Corrèze|75|TULLE|19272|19000|45.267|1.771|0.3
21|Côte-d'Or|27|DIJON|21231|21000|47.322|5.041|0.9
22|Côtes-d'Armor|53|SAINT BRIEUC|22278|22000|48.514|-2.765|0.8
23|Creuse|75|GUERET|23096|23000|46.171|1.872|0.1
24|Dordogne|75|PERIGUEUX|24322|24000|45.184|0.721|0.6
25|Doubs|27|BESANCON|25056|25000|47.238|6.024|0.8
26|Drôme|84|VALENCE|26362|26000|44.933|4.892|0.8
27|Eure|28|EVREUX|27229|27000|49.024|1.151|0.8
28|Eure-et-Loir|24|CHARTRES|28085|28000|48.446|1.489|0.6
29|Finistère|53|QUIMPER|29232|29000|47.996|-4.102|1.2
2A|Corse-du-Sud|94|AJACCIO|2A004|20000|41.919|8.738|0.3
2B|Haute-Corse|94|BASTIA|2B033|20200|42.697|9.450|0.3
30|Gard|76|NIMES|30189|30000|43.837|4.360|1.0
31|Haute-Garonne|76|TOULOUSE|31555|31000|43.605|1.444|2.3
32|Gers|76|AUCH|32013|32000|43.646|0.586|0.3
33|Gironde|75|BORDEAUX|33063|33000|44.838|-0.579|2.6
34|Hérault|76|MONTPELLIER|34172|34000|43.611|3.877|1.8
35|Ille-et-Vilaine|53|RENNES|35238|35000|48.117|-1.678|1.7
36|Indre|24|CHATEAUROUX|36044|36000|46.811|1.691|0.3
37|Indre-et-Loire|24|TOURS|37261|37000|47.394|0.685|0.9
38|Isère|84|GRENOBLE|38185|38000|45.188|5.724|1.8
39|Jura|27|LONS LE SAUNIER|39300|39000|46.675|5.555|0.4
40|Landes|75|MONT DE MARSAN|40192|40000|43.890|-0.500|0.6
41|Loir-et-Cher|24|BLOIS|41018|41000|47.586|1.336|0.5
42|Loire|84|SAINT ETIENNE|42218|42000|45.440|4.387|1.1
43|Haute-Loire|84|LE PUY EN VELAY|43157|43000|45.043|3.885|0.3
44|Loire-Atlantique|52|NANTES|44109|44000|47.218|-1.554|2.3
45|Loiret|24|ORLEANS|45234|45000|47.903|1.909|1.0
46|Lot|76|CAHORS|46042|46000|44.448|1.441|0.2
47|Lot-et-Garonne|75|AGEN|47001|47000|44.203|0.616|0.5
48|Lozère|76|MENDE|48095|48000|44.518|3.500|0.1
49|Maine-et-Loire|52|ANGERS|49007|49000|47.478|-0.563|1.2
50|Manche|28|SAINT LO|50502|50000|49.116|-1.091|0.7
51|Marne|44|CHALONS EN CHAMPAGNE|51108|51000|48.957|4.365|0.8
52|Haute-Marne|44|CHAUMONT|52121|52000|48.111|5.139|0.2
53|Mayenne|52|LAVAL|53130|53000|48.073|-0.770|0.4
54|Meurthe-et-Moselle|44|NANCY|54395|54000|48.692|6.184|1.0
55|Meuse|44|BAR LE DUC|55029|55000|48.772|5.160|0.2
56|Morbihan|53|VANNES|56260|56000|47.658|-2.760|1.0
57|Moselle|44|METZ|57463|57000|49.119|6.176|1.3
58|Nièvre|27|NEVERS|58194|58000|46.990|3.159|0.3
59|Nord|32|LILLE|59350|59000|50.629|3.057|3.5
60|Oise|32|BEAUVAIS|60057|60000|49.430|2.081|1.1
61|Orne|28|ALENCON|61001|61000|48.432|0.091|0.3
62|Pas-de-Calais|32|ARRAS|62041|62000|50.291|2.777|1.8
63|Puy-de-Dôme|84|CLERMONT FERRAND|63113|63000|45.777|3.087|1.0
64|Pyrénées-Atlantiques|75|PAU|64445|64000|43.295|-0.370|1.0
65|Hautes-Pyrénées|76|TARBES|65440|65000|43.233|0.078|0.3
66|Pyrénées-Orientales|76|PERPIGNAN|66136|66000|42.699|2.895|0.7
67|Bas-Rhin|44|STRASBOURG|67482|67000|48.573|7.752|1.7
68|Haut-Rhin|44|COLMAR|68066|68000|48.079|7.358|1.1
69|Rhône|84|LYON|69123|69001|45.764|4.836|3.3
70|Haute-Saône|27|VESOUL|70550|70000|47.620|6.155|0.3
71|Saône-et-Loire|27|MACON|71270|71000|46.307|4.828|0.7
72|Sarthe|52|LE MANS|72181|72000|48.004|0.197|0.8
73|Savoie|84|CHAMBERY|73065|73000|45.566|5.921|0.9
74|Haute-Savoie|84|ANNECY|74010|74000|45.899|6.129|1.3
75|Paris|11|PARIS|75056|75001|48.857|2.352|6.5
76|Seine-Maritime|28|ROUEN|76540|76000|49.443|1.099|1.7
77|Seine-et-Marne|11|MELUN|77288|77000|48.540|2.660|1.9
78|Yvelines|11|VERSAILLES|78646|78000|48.805|2.130|2.0
79|Deux-Sèvres|75|NIORT|79191|79000|46.323|-0.465|0.5
80|Somme|32|AMIENS|80021|80000|49.894|2.296|0.8
81|Tarn|76|ALBI|81004|81000|43.929|2.148|0.5
82|Tarn-et-Garonne|76|MONTAUBAN|82121|82000|44.018|1.355|0.4
83|Var|93|TOULON|83137|83000|43.124|5.928|1.5
84|Vaucluse|93|AVIGNON|84007|84000|43.949|4.806|0.8
85|Vendée|52|LA ROCHE SUR YON|85191|85000|46.670|-1.426|0.9
86|Vienne|75|POITIERS|86194|86000|46.580|0.340|0.6
87|Haute-Vienne|75|LIMOGES|87085|87000|45.834|1.261|0.5
88|Vosges|44|EPINAL|88160|88000|48.173|6.451|0.5
89|Yonne|27|AUXERRE|89024|89000|47.798|3.567|0.5
90|Territoire de Belfort|27|BELFORT|90010|90000|47.638|6.863|0.2
91|Essonne|11|EVRY COURCOURONNES|91228|91000|48.629|2.441|1.9
92|Hauts-de-Seine|11|NANTERRE|92050|92000|48.892|2.207|3.2
93|Seine-Saint-Denis|11|BOBIGNY|93008|93000|48.908|2.440|2.2
94|Val-de-Marne|11|CRETEIL|94028|94000|48.790|2.455|2.0
95|Val-d'Oise|11|CERGY|95127|95000|49.036|2.076|1.6
971|Guadeloupe|01|BASSE TERRE|97105|97100|15.998|-61.726|0.4
972|Martinique|02|FORT DE FRANCE|97209|97200|14.616|-61.059|0.3
973|Guyane|03|CAYENNE|97302|97300|4.922|-52.313|0.2
974|La Réunion|04|SAINT DENIS|97411|97400|-20.882|55.450|0.8
976|Mayotte|06|MAMOUDZOU|97611|97600|-12.780|45.228|0.1
"""


def _parse_departements() -> tuple[Departement, ...]:
    rows = []
    for line in _DEPARTEMENTS.splitlines():
        code, name, region, town, insee, cp, lat, lon, weight = line.split("|")
        rows.append(Departement(code, name, region, town, insee, cp, float(lat), float(lon), float(weight)))
    return tuple(rows)


DEPARTEMENTS: tuple[Departement, ...] = _parse_departements()

# The order /referentiel/departements answers in: deliberately not sorted (the real list is not).
# A fixed shuffle by region then code, starting in Provence as the real dump does.
REGION_ORDER_OF_DEPARTEMENTS = ("93", "24", "53", "84", "27", "44", "32", "94", "75", "28", "76",
                               "52", "11", "01", "02", "03", "04", "06")

# Big towns besides the chefs-lieux: (insee, name, postcode, lat, lon, weight in the département).
BIG_TOWNS = """\
92012|BOULOGNE BILLANCOURT|92100|48.835|2.241|3
92040|ISSY LES MOULINEAUX|92130|48.823|2.263|2
92026|COURBEVOIE|92400|48.897|2.253|3
92062|PUTEAUX|92800|48.884|2.238|2
92044|LEVALLOIS PERRET|92300|48.895|2.287|2
92063|RUEIL MALMAISON|92500|48.877|2.181|1
93066|SAINT DENIS|93200|48.936|2.357|2
93048|MONTREUIL|93100|48.861|2.443|2
94081|VITRY SUR SEINE|94400|48.787|2.393|1
94041|IVRY SUR SEINE|94200|48.813|2.385|1
95527|ROISSY EN FRANCE|95700|49.004|2.517|2
95018|ARGENTEUIL|95100|48.947|2.248|1
91377|MASSY|91300|48.731|2.271|1
78551|SAINT GERMAIN EN LAYE|78100|48.898|2.093|1
77284|MEAUX|77100|48.960|2.879|1
51454|REIMS|51100|49.258|4.032|3
76351|LE HAVRE|76600|49.494|0.108|2
29019|BREST|29200|48.390|-4.486|2
69266|VILLEURBANNE|69100|45.771|4.890|2
69259|VENISSIEUX|69200|45.697|4.886|1
13001|AIX EN PROVENCE|13090|43.529|5.447|2
68224|MULHOUSE|68100|47.750|7.336|2
59512|ROUBAIX|59100|50.690|3.181|1
59599|TOURCOING|59200|50.724|3.161|1
59183|DUNKERQUE|59140|51.034|2.377|1
59606|VALENCIENNES|59300|50.358|3.523|1
62193|CALAIS|62100|50.952|1.858|1
62160|BOULOGNE SUR MER|62200|50.726|1.614|1
56121|LORIENT|56100|47.748|-3.370|1
35288|SAINT MALO|35400|48.649|-2.026|1
44184|SAINT NAZAIRE|44600|47.274|-2.214|1
49099|CHOLET|49300|47.060|-0.879|1
33281|MERIGNAC|33700|44.842|-0.646|1
33318|PESSAC|33600|44.806|-0.632|1
64102|BAYONNE|64100|43.493|-1.475|1
06029|CANNES|06400|43.552|7.017|1
06004|ANTIBES|06600|43.580|7.125|1
34032|BEZIERS|34500|43.344|3.216|1
38421|SAINT MARTIN D HERES|38400|45.167|5.765|1
42187|ROANNE|42300|46.036|4.068|1
02691|SAINT QUENTIN|02100|49.848|3.287|1
60159|COMPIEGNE|60200|49.418|2.826|1
74012|ANNEMASSE|74100|46.193|6.234|1
83126|LA SEYNE SUR MER|83500|43.101|5.878|1
"""


class Town(NamedTuple):
    insee: str
    name: str
    postcode: str
    lat: float
    lon: float
    weight: float


def _parse_towns() -> tuple[Town, ...]:
    rows = []
    for line in BIG_TOWNS.splitlines():
        insee, name, cp, lat, lon, weight = line.split("|")
        rows.append(Town(insee, name, cp, float(lat), float(lon), float(weight)))
    return tuple(rows)


TOWNS: tuple[Town, ...] = _parse_towns()

# Paris, Marseille and Lyon appear in the communes referentiel as arrondissements only:
# (city insee, name prefix, first arrondissement insee, count, centre lat, lon, spread in degrees).
ARRONDISSEMENT_CITIES = (
    ("75056", "PARIS", 75101, 20, 48.857, 2.352, 0.045),
    ("13055", "MARSEILLE", 13201, 16, 43.296, 5.370, 0.060),
    ("69123", "LYON", 69381, 9, 45.764, 4.836, 0.030),
)

# Syllables for the names of the synthetic villages around each chef-lieu.
VILLAGE_HEADS = ("SAINT MARTIN", "SAINT GEORGES", "SAINT JEAN", "SAINTE MARIE", "SAINT PIERRE",
                 "NEUVILLE", "VILLENEUVE", "FONTAINE", "MONTIGNY", "BEAUMONT", "CHATEAUNEUF",
                 "LA CHAPELLE", "LE PLESSIS", "LE MESNIL", "ROCHEFORT", "VILLIERS", "MARCILLY",
                 "CHAMPIGNY", "BELLEVILLE", "MONTREUIL", "BOIS", "LA BASTIDE", "MOULINS",
                 "LES ESSARTS", "BRIE", "VAUX", "VERNEUIL", "SAINT LAURENT", "SAINT PAUL")
VILLAGE_TAILS = ("LES BOIS", "SUR MER", "LE CHATEL", "EN VAL", "DES PRES", "LA FORET", "DU LAC",
                 "LE VIEUX", "LES VIGNES", "SOUS BOIS", "LA RIVIERE", "SUR ORGE", "LE GRAND",
                 "EN BRIE", "SUR LOIRE", "LES MOINES", "DE BRETAGNE", "LA CROIX", "LES ROCHES",
                 "SAINT DENIS", "SUR SAONE", "LE ROI", "LES PINS", "D ARGENT", "LA VALLEE")
VILLAGE_SOLO = ("GUERPONT", "BARNAY", "CORVILLE", "LANDEVAN", "PLOUMEUR", "AURIGNAC", "VALMONT",
                "TREMBLAY", "ESTOUBLON", "MAUVES", "CHALAIN", "BRESSOLLES", "QUINCY", "ORGERES",
                "LAVAUR", "SORGUES", "CASTRES", "MIRANDE", "BOLBEC", "FALAISE", "DOLE", "GIEN",
                "AUBUSSON", "BRIOUDE", "ISSOIRE", "MILLAU", "TULLINS", "VIENNE", "MORLAIX")

# Foreign workplaces (lieuTravail.libelle) with their INSEE country code, and the continent.
COUNTRIES = (
    # (pays code, libellé in /referentiel/pays, libellé in lieuTravail, continent code, weight)
    ("99100", "France", "France", "04", 0.0),
    ("99109", "Allemagne", "Allemagne", "04", 1.0),
    ("99131", "Belgique", "Belgique", "04", 2.0),
    ("99137", "Luxembourg", "Luxembourg", "04", 3.0),
    ("99138", "Monaco", "Principauté de Monaco", "04", 2.0),
    ("99140", "Suisse", "Suisse", "04", 3.0),
    ("99127", "Italie", "Italie", "04", 0.6),
    ("99134", "Espagne", "Espagne", "04", 0.6),
    ("99139", "Portugal", "Portugal", "04", 0.3),
    ("99132", "Royaume-Uni", "Royaume-Uni", "04", 0.5),
    ("99135", "Pays-Bas", "Pays-Bas", "04", 0.3),
    ("99136", "Irlande", "Irlande", "04", 0.2),
    ("99130", "Andorre", "Andorre", "04", 0.2),
    ("99401", "Canada", "Québec Canada", "02", 1.0),
    ("99404", "Etats-Unis", "Etats-Unis", "02", 0.3),
    ("99350", "Maroc", "Maroc", "01", 0.3),
    ("99351", "Tunisie", "Tunisie", "01", 0.2),
    ("99352", "Algérie", "Algérie", "01", 0.1),
    ("99341", "Sénégal", "Sénégal", "01", 0.1),
    ("99216", "Chine", "Chine", "03", 0.1),
    ("99217", "Japon", "Japon", "03", 0.1),
    ("99247", "Emirats arabes unis", "Emirats arabes unis", "03", 0.1),
    ("99502", "Nouvelle-Zélande", "Nouvelle-Zélande", "05", 0.05),
    ("99501", "Australie", "Australie", "05", 0.1),
)

CONTINENTS = (
    ("01", "Afrique"),
    ("02", "Amérique"),
    ("03", "Asie"),
    ("04", "Europe"),
    ("05", "Océanie"),
)

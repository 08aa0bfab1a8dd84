"""The communes of the sandbox: real chefs-lieux, big towns and arrondissements, plus synthetic
villages around each chef-lieu, generated deterministically (the same list for every market).

Codes look like INSEE codes (département + 3 digits, 97x + 2 digits overseas), names follow the
referentiel's spelling (upper case, no accents, no hyphens), coordinates stay near their chef-lieu.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from offres_crawler.sandbox.facts import geography as geo

_SEED = 20_240_101  # the communes do not depend on the market's seed
_MAINLAND = ((42.5, 51.0), (-4.6, 8.1))  # (lat range, lon range) villages are clipped to
_CORSICA = ((41.5, 42.95), (8.65, 9.5))


@dataclass(frozen=True)
class Communes:
    codes: list[str]
    names: list[str]
    postcodes: list[tuple[str, ...]]  # one referentiel row per postcode
    dept: np.ndarray  # int16 index into geo.DEPARTEMENTS
    lat: np.ndarray  # float64
    lon: np.ndarray
    weight: np.ndarray  # float64, sums to 1 over all communes: share of located offers
    city_of: np.ndarray  # int8: index into geo.ARRONDISSEMENT_CITIES for arrondissements, else -1

    def __len__(self) -> int:
        return len(self.codes)


def _choice(rng: np.random.Generator, names: tuple[str, ...]) -> str:
    # The draw of rng.choice(names) (same value, same generator state: numpy's choice without
    # weights draws integers(0, n)), without its 30 µs of argument checks: a third of the build.
    return names[rng.integers(0, len(names))]


def _dept_prefix(code: str) -> str:
    return "20" if code in ("2A", "2B") else code[:2] if len(code) == 2 else code


def build_communes() -> Communes:
    rng = np.random.default_rng(_SEED)
    codes, names, postcodes, dept, lat, lon, weight, city_of = [], [], [], [], [], [], [], []
    towns_by_dept: dict[str, list[geo.Town]] = {}
    for town in geo.TOWNS:
        towns_by_dept.setdefault(town.insee[:2], []).append(town)
    cities = {c[0]: (i, c) for i, c in enumerate(geo.ARRONDISSEMENT_CITIES)}
    dept_total = sum(d.weight for d in geo.DEPARTEMENTS)

    def add(code, name, cps, d_idx, la, lo, w, city=-1):
        codes.append(code)
        names.append(name)
        postcodes.append(tuple(cps))
        dept.append(d_idx)
        lat.append(la)
        lon.append(lo)
        weight.append(w)
        city_of.append(city)

    for d_idx, d in enumerate(geo.DEPARTEMENTS):
        share = d.weight / dept_total
        overseas = len(d.code) == 3
        used_codes = {d.insee}
        used_names = {d.chef_lieu}
        # The chef-lieu takes a third of the département's offers (all of it for Paris).
        if d.insee in cities:
            c_idx, (_, prefix, first, count, clat, clon, spread) = cities[d.insee]
            city_share = share * (1.0 if d.code == "75" else 0.45)
            arr_w = rng.dirichlet(np.full(count, 4.0)) * city_share
            cp0 = int(d.postcode)
            for k in range(count):
                angle = k * 2.4
                radius = spread * (0.2 + 0.8 * k / count)
                add(str(first + k), f"{prefix} {k + 1:02d}", [f"{cp0 + k:05d}"], d_idx,
                    round(clat + radius * np.sin(angle), 6), round(clon + 1.4 * radius * np.cos(angle), 6),
                    arr_w[k], c_idx)
                used_codes.add(str(first + k))
            if d.code == "75":
                continue
            remaining = share - city_share
        else:
            cps = [d.postcode]
            if d.weight >= 1.5 and not overseas:  # big towns have several postcodes ("33000", "33100")
                cps.append(f"{d.postcode[:2]}100")
            add(d.insee, d.chef_lieu, cps, d_idx, d.lat, d.lon, share * 0.35)
            remaining = share * 0.65
        towns = [t for t in towns_by_dept.get(d.code, ()) if t.insee not in used_codes]
        town_share = 0.0
        for t in towns:
            w = remaining * 0.06 * t.weight
            town_share += w
            add(t.insee, t.name, [t.postcode], d_idx, t.lat, t.lon, w)
            used_codes.add(t.insee)
            used_names.add(t.name)
        # Synthetic villages share the rest.
        n_villages = 8 if overseas else int(12 + 25 * d.weight)
        village_w = rng.dirichlet(np.full(n_villages, 2.0)) * (remaining - town_share)
        prefix = _dept_prefix(d.code)
        spread_lat, spread_lon = (0.10, 0.12) if overseas else (0.35, 0.45)
        for v in range(n_villages):
            while True:
                if rng.random() < 0.3:
                    name = _choice(rng, geo.VILLAGE_SOLO)
                else:
                    name = f"{_choice(rng, geo.VILLAGE_HEADS)} {_choice(rng, geo.VILLAGE_TAILS)}"
                if name not in used_names:
                    break
            while True:
                # Below 300: real numbers of arrondissements (132xx, 6938x) stay unambiguous.
                suffix = int(rng.integers(1, 100 if overseas else 300))
                code = f"{d.code}{suffix:02d}" if overseas else f"{d.code}{suffix:03d}"
                if code not in used_codes:
                    break
            used_codes.add(code)
            used_names.add(name)
            cp = f"{d.postcode[:3]}{int(rng.integers(10, 99)):02d}" if overseas else \
                f"{prefix}{int(rng.integers(1, 99)) * 10:03d}"
            la = d.lat + rng.uniform(-spread_lat, spread_lat)
            lo = d.lon + rng.uniform(-spread_lon, spread_lon)
            if not overseas:  # keep villages on land, roughly
                (la_min, la_max), (lo_min, lo_max) = _CORSICA if d.code in ("2A", "2B") else _MAINLAND
                la, lo = min(max(la, la_min), la_max), min(max(lo, lo_min), lo_max)
            add(code, name, [cp], d_idx, round(la, 6), round(lo, 6), village_w[v])
    w = np.array(weight, dtype=np.float64)
    return Communes(codes=codes, names=names, postcodes=postcodes, dept=np.array(dept, dtype=np.int16),
                    lat=np.array(lat), lon=np.array(lon), weight=w / w.sum(),
                    city_of=np.array(city_of, dtype=np.int8))


def haversine_km(lat1: float, lon1: float, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance from one point to many, in km."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2 - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))

"""Word lists the entity rules read (:mod:`annotator.suggest.entity_rules`), lowercase, without dots."""

from __future__ import annotations

import re

# fmt: off

DETERMINERS = {"the", "a", "an", "this", "that", "these", "those"}

# Titles and honorifics that precede a name but are not part of it.
TITLES = {
    "acting", "activist", "actor", "actress", "ambassador", "army", "attorney", "author",
    "ayatollah", "bishop", "candidate", "capt", "captain", "cardinal", "ceo", "chair", "chairman",
    "chairwoman", "chancellor", "chief", "coach", "col", "colonel", "commissioner", "congressman",
    "congresswoman", "councillor", "councilman", "councilwoman", "crown", "dame", "dean", "defence",
    "defender", "defense", "deputy", "detective", "director", "dr", "emir", "executive", "father",
    "finance", "foreign", "former", "founder", "gen", "general", "goalkeeper", "gov", "governor",
    "head", "health", "imam", "inspector", "interior", "judge", "justice", "lawmaker", "leader",
    "lieutenant", "lt", "magistrate", "manager", "mayor", "mep", "midfielder", "minister",
    "minister-president", "miss", "mp", "mr", "mrs", "ms", "mx", "officer", "opposition", "party",
    "player", "police", "premier", "president", "president-elect", "prime", "prof", "professor",
    "rabbi", "rapper", "rep", "representative", "rev", "reverend", "secretary", "sen", "senator",
    "sergeant", "sgt", "sheikh", "singer", "sir", "speaker", "spokesman", "spokesperson",
    "spokeswoman", "state", "striker", "sultan", "u.s.", "us", "vice",
}

# Words that may stand before a name and are part of how the person is named.
REGNAL = {
    "emperor", "empress", "king", "lady", "lord", "pope", "prince", "princess", "queen", "saint",
    "st",
}

# Portfolio words: alone before a title word, or after "Secretary/Minister of", they are no ORG.
PORTFOLIOS = {
    "affairs", "agriculture", "and", "commerce", "communications", "culture", "defence", "defense",
    "development", "economy", "education", "employment", "energy", "environment", "external",
    "finance", "foreign", "health", "home", "homeland", "housing", "immigration", "industry",
    "information", "interior", "internal", "justice", "labor", "labour", "national", "navy", "of",
    "planning", "public", "security", "sport", "sports", "state", "the", "tourism", "trade",
    "transport", "transportation", "treasury", "veterans", "war", "welfare", "works",
}

# Words after a portfolio that make it a job title.
TITLE_HEADS = {
    "adviser", "advisor", "chief", "commissioner", "committee", "critic", "czar", "minister",
    "ministers", "official", "officials", "representative", "secretaries", "secretary", "spokesman",
    "spokesperson", "spokeswoman", "tsar",
}

# Titles before a person's name (not those that also qualify other nouns).
PERSON_TITLES = {
    "activist", "actor", "actress", "ambassador", "attorney", "author", "ayatollah", "bishop",
    "candidate", "capt", "captain", "cardinal", "ceo", "chair", "chairman", "chairwoman",
    "chancellor", "coach", "col", "colonel", "commissioner", "congressman", "congresswoman",
    "councillor", "councilman", "councilwoman", "dame", "dean", "defender", "detective", "director",
    "dr", "emir", "father", "founder", "gen", "general", "goalkeeper", "gov", "governor", "imam",
    "inspector", "judge", "justice", "lawmaker", "lieutenant", "lt", "magistrate", "manager",
    "mayor", "mep", "midfielder", "minister", "minister-president", "miss", "mp", "mr", "mrs", "ms",
    "mx", "officer", "premier", "president", "president-elect", "prime", "prof", "professor",
    "rabbi", "rapper", "rep", "representative", "rev", "reverend", "secretary", "sen", "senator",
    "sergeant", "sgt", "sheikh", "singer", "sir", "speaker", "spokesman", "spokesperson",
    "spokeswoman", "striker", "sultan",
}

# The last word of a name says what kind of thing it names ("Correctional Facility", "Safety Committee").
HEADWORDS = {

    "FAC": {
        "airport", "arena", "avenue", "bridge", "building", "cathedral", "church", "complex", "dam",
        "facility", "hall", "harbor", "harbour", "headquarters", "highway", "jail", "library", "mosque",
        "motorway", "museum", "palace", "port", "prison", "road", "square", "stadium", "station",
        "street", "synagogue", "temple", "theater", "theatre", "tower", "towers", "tunnel",
    },

    "ORG": {
        "academy", "agency", "airlines", "airways", "army", "association", "authority", "bank", "board",
        "bureau", "college", "commission", "committee", "company", "corp", "corp.", "corporation",
        "council", "court", "department", "federation", "force", "forces", "foundation", "fund",
        "group", "inc", "inc.", "institute", "league", "ltd", "ltd.", "ministry", "navy", "network",
        "news", "office", "organisation", "organization", "party", "police", "post", "prefecture",
        "school", "service", "society", "times", "tribunal", "union", "university",
    },

    "LOC": {
        "bay", "coast", "desert", "estuary", "forest", "gulf", "island", "islands", "lake", "mountain",
        "mountains", "ocean", "park", "peninsula", "river", "sea", "strait", "valley",
    },

}

# Time zones, celestial bodies: capitalised, not names in scope.
NOT_ENTITIES = {
    "AEDT", "AEST", "BST", "CDT", "CEST", "CET", "CST", "CT", "EDT", "EST", "ET", "Earth", "GMT",
    "IST", "JST", "Jupiter", "MDT", "MST", "MT", "Mars", "Milky Way", "Moon", "Neptune", "PDT",
    "PST", "PT", "Pluto", "Saturn", "Solar System", "Sun", "UTC", "Universe", "Uranus", "Venus",
}

# Names of diseases and viruses are not entities in the default scope.

NOT_NAMES = re.compile(
    r"^(?:COVID(?:-19)?|SARS(?:-CoV-2)?|MERS|Ebola|H\d+N\d+|HIV|AIDS|Zika|2019-nCoV)$", re.I
)

NUMBERISH = re.compile(r"^[\d:.,/\s-]+(?:am|pm|a\.m\.|p\.m\.)?$|^[A-Z]{3}\s?\d")

NAME_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
# Storm names: "Hurricane Dorian" ... "Dorian".
STORMS = {"hurricane", "typhoon", "cyclone", "storm", "tropical"}
# Labels one-label-per-name may change (not dates, numbers and the like).
RELABEL = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART"}
# fmt: on

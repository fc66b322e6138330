"""Token boundaries: spaCy's offsets in code points, their packed form, and the tokenizer's name."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from review_helpers import TOKEN_TEXTS as TEXTS

from annotator.review.tokens import pack_bounds, text_tokens, token_bounds, tokenizer_name, unpack_bounds


def test_cached_boundaries_under_a_name_spacy_disowns_are_not_used():
    # The metadata said one version, the spaCy imported for the missing texts says another:
    # everything is tokenized again and recorded under the imported one's name.
    junk = pack_bounds(np.array([0]), np.array([1]))
    tokens = text_tokens(TEXTS, [junk, junk, None], "spacy.blank:en@0.0.1")
    assert tokens.tokenizer == tokenizer_name() != "spacy.blank:en@0.0.1"
    assert tokens.made == (0, 1, 2)
    for (starts, ends), text in zip(tokens.bounds, TEXTS, strict=True):
        want = token_bounds(text)
        assert starts.tolist() == want[0].tolist() and ends.tolist() == want[1].tolist()
    # All cached under the current name: nothing tokenized.
    packed = [pack_bounds(*token_bounds(t)) for t in TEXTS]
    tokens = text_tokens(TEXTS, packed, tokenizer_name())
    assert tokens.made == () and tokens.tokenizer == tokenizer_name()


def test_packed_boundaries_round_trip():
    for text in [*TEXTS, "", "   "]:
        starts, ends = token_bounds(text)
        packed = pack_bounds(starts, ends)
        assert len(packed) == 8 * len(starts)
        back = unpack_bounds(packed)
        assert back[0].dtype == np.int64
        assert back[0].tolist() == starts.tolist() and back[1].tolist() == ends.tolist()


def test_the_name_without_spacy_is_the_one_spacy_gives():
    code = (
        "import sys\n"
        "from annotator.review.agreement import tokenizer_name\n"
        "name = tokenizer_name()\n"
        "assert 'spacy' not in sys.modules\n"
        "import spacy\n"
        "print(name == f'spacy.blank:en@{spacy.__version__}' == tokenizer_name(), name)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.startswith("True spacy.blank:en@"), out


def test_a_text_with_a_lone_surrogate_is_tokenised_at_the_same_offsets():
    odd, plain = token_bounds("Tariffs \ud800rose in Kenya."), token_bounds("Tariffs \ufffdrose in Kenya.")
    assert [list(a) for a in odd] == [list(a) for a in plain]
    assert len(odd[0]) >= 4

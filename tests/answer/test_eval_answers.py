"""scripts/eval_answers.py's fit: the indexes that leave out half the validation articles read
with the reader being fitted, so a candidate's constants are its own."""

import eval_answers
import pytest

PARAGRAPHS = {
    "00-000.txt": "The Rhine flows from the Swiss Alps to the North Sea through six countries.",
    "08-000.txt": "Sky UK launched its digital satellite service in October 1998.",
    "13-000.txt": "The 1973 oil crisis began when OAPEC proclaimed an oil embargo.",
    "19-000.txt": "Packet switching groups transmitted data into packets with a header.",
    "29-000.txt": "Construction projects are usually led by a project manager on site.",
}


def test_each_half_leaves_out_its_articles_and_reads_with_the_reader_given(tmp_path, span_reader):
    halves = list(eval_answers.without_validation_halves(PARAGRAPHS, tmp_path, span_reader))
    left_out = [articles for _, articles in halves]
    assert sorted(left_out[0] | left_out[1]) == sorted(eval_answers.VALIDATION_ARTICLES)
    assert not left_out[0] & left_out[1]
    for engine, articles in halves:
        assert engine.qa_reader is span_reader
        sources = {p.source for p in engine.search("digital satellite oil embargo packets", 10)}
        assert "00-000.txt" in sources
        assert all(int(source[:2]) not in articles for source in sources)


def test_fit_only_goes_with_fit(monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["eval_answers.py", "--fit-only"])
    with pytest.raises(SystemExit):
        eval_answers.main()
    assert "--fit-only goes with --fit" in capsys.readouterr().err

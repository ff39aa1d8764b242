import gzip

import pytest

from conftest import FIXTURES, SEED
from kg.errors import InputError, ReaderError
from kg.read import detect_format, iter_documents, read_documents
from kg.read.markdown import parse_entity_list
from kg.records import Document


def test_seed_markdown_reads_into_one_document_with_its_metadata(seed_document):
    document = seed_document
    assert document.id == "PMC:11208807"
    assert document.title.startswith("Successful Use of Dupilumab")
    metadata = dict(document.metadata)
    assert metadata["doi"] == "10.1155/2024/6265608"
    assert metadata["pmcid"] == "PMC11208807"
    assert metadata["date"] == "2024-06-19"
    assert metadata["journal"] == "Case Reports in Dermatological Medicine"
    assert metadata["authors"].startswith("Niccolò Gori")
    kinds = [p.kind for p in document.passages]
    assert (
        kinds[0] == "title" and "abstract" in kinds and "tldr" in kinds and kinds.count("key_findings") == 3
    )


def test_passage_offsets_address_the_document_text(seed_document):
    for passage in seed_document.passages:
        assert seed_document.text_at(passage.offset, passage.end) == passage.text
    offsets = [p.offset for p in seed_document.passages]
    assert offsets == sorted(offsets)
    abstract = next(p for p in seed_document.passages if p.kind == "abstract")
    assert abstract.text.startswith("Acquired reactive perforating collagenosis is a rare cutaneous disorder")
    assert "Linked entities" not in abstract.text and "MONDO:" not in abstract.text


def test_the_papers_own_entity_lists_become_annotations_not_text(seed_document):
    annotations = {(a.text, a.type): a for a in seed_document.annotations}
    assert annotations[("atopic dermatitis", "Disease")].ids == ("MONDO:0004980",)
    assert annotations[("Atopic Dermatitis", "Disease")].ids == ("MESH:D003876",)
    assert annotations[("IL-13", "Gene")].ids == ("NCBIGene:3596",)
    assert annotations[("Dupilumab", "Chemical")].source == "full-text-entities"
    assert all(a.start is None for a in seed_document.annotations)
    assert not any("MONDO" in p.text for p in seed_document.passages)


def test_entity_list_items_keep_commas_inside_brackets():
    line = "- **Genes:** IL13 (interleukin 13) [NCBI Gene 3596] {aka IL-13, P600}, IL4 [NCBI Gene 3565]"
    names = [(a.text, a.ids) for a in parse_entity_list(line, "x")]
    assert names == [
        ("IL13", ("NCBIGene:3596",)),
        ("interleukin 13", ("NCBIGene:3596",)),
        ("IL-13", ("NCBIGene:3596",)),
        ("P600", ("NCBIGene:3596",)),
        ("IL4", ("NCBIGene:3565",)),
    ]


def test_plain_text_first_line_is_the_title(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text(
        "Dupilumab for atopic dermatitis\n\nIt inhibits IL-4.\nSecond line.\n\nAnother paragraph.\n"
    )
    [document] = read_documents([path])
    assert document.id == "KG:document.notes-txt"
    assert document.title == "Dupilumab for atopic dermatitis"
    assert [p.text for p in document.passages[1:]] == ["It inhibits IL-4. Second line.", "Another paragraph."]
    pmid_named = tmp_path / "12345678.txt"
    pmid_named.write_text("Title\n\nBody.")
    assert read_documents([pmid_named])[0].id == "PMID:12345678"


def test_pubtator_documents_annotations_and_relations():
    documents = read_documents([FIXTURES / "two_cdr.pubtator"])
    assert [d.id for d in documents] == ["PMID:6794356", "PMID:6797310"] or len(documents) == 2
    first = documents[0]
    assert first.passages[1].offset == len(first.title) + 1
    for annotation in first.annotations:
        assert first.text_at(annotation.start, annotation.end) == annotation.text
    assert ("Chemical", "MESH:D016651") in {(a.type, a.ids[0]) for a in first.annotations if a.ids}
    assert first.relations and first.relations[0].type == "CID"


def test_a_bad_document_in_a_batch_is_reported_and_the_rest_is_read():
    items = list(iter_documents([FIXTURES / "with_bad_document.pubtator"]))
    errors = [i for i in items if isinstance(i, ReaderError)]
    documents = [i for i in items if not isinstance(i, ReaderError)]
    assert len(documents) == 2 and len(errors) == 1
    assert "with_bad_document.pubtator" in str(errors[0]) and "99999" in str(errors[0])
    assert errors[0].line is not None


def test_a_malformed_annotation_line_costs_that_line_not_the_document(tmp_path):
    path = tmp_path / "one.pubtator"
    path.write_text(
        "1|t|Lithium toxicity\n1|a|Seen in one infant.\n1\t0\t7\tLithium\tChemical\tD008094\n"
        "1\tnot-a-number\n1\t8\t900\ttoxicity\tDisease\tD064420\n"
    )
    [document] = list(iter_documents([path]))
    assert isinstance(document, Document)
    assert [a.text for a in document.annotations] == ["Lithium"]
    assert any("line 4" in w for w in document.warnings)
    assert any("outside the text" in w for w in document.warnings)


def test_format_is_detected_from_content(tmp_path):
    assert detect_format(SEED, SEED.read_text()) == "markdown"
    assert (
        detect_format(FIXTURES / "two_cdr.pubtator", (FIXTURES / "two_cdr.pubtator").read_text())
        == "pubtator"
    )
    assert detect_format(tmp_path / "x.txt", "Just a title\n\nAnd text.") == "text"


def test_gzip_inputs_read_transparently(tmp_path):
    path = tmp_path / "seed.md.gz"
    path.write_bytes(gzip.compress(SEED.read_bytes()))
    assert read_documents([path])[0].id == "PMC:11208807"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"   \n\n", "file is empty"),
        (b"\x00\x01\x02binary\x00", "binary"),
        (b"caf\xe9 au lait", "not UTF-8"),
        (b"\x1f\x8b\x08\x00broken", "damaged gzip"),
    ],
)
def test_unreadable_files_raise_a_clear_error_naming_the_file(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError) as error:
        read_documents([path])
    assert str(path) in str(error.value) and message in str(error.value)


def test_missing_files_and_empty_globs_are_named(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_documents([tmp_path / "missing.md"])
    with pytest.raises(InputError, match="no files match"):
        read_documents([str(tmp_path / "*.md")])
    with pytest.raises(InputError, match="unknown format"):
        read_documents([SEED], format="docx")


def test_markdown_without_a_title_is_rejected(tmp_path):
    path = tmp_path / "bad.md"
    path.write_text("no title here\n## Abstract\ntext\n")
    with pytest.raises(ReaderError, match="first line must be '# Title'"):
        read_documents([path], format="markdown")


def test_bioc_xml_from_nlm_gene():
    [document] = read_documents([FIXTURES / "nlm_gene_12461077.bioc.xml"])
    assert document.id == "PMID:12461077" and document.passages[1].offset == 152
    genes = [a for a in document.annotations if a.type == "Gene"]
    assert ("ICSBP", ("NCBIGene:15900",)) in {(a.text, a.ids) for a in genes}
    for annotation in genes:
        assert document.text_at(annotation.start, annotation.end) == annotation.text


def test_bioc_json_from_biored_with_relations():
    documents = read_documents([FIXTURES / "biored_two.bioc.json"])
    assert len(documents) == 2
    first = documents[0]
    assert first.relations and first.relations[0].type in {
        "Positive_Correlation",
        "Association",
        "Bind",
        "Negative_Correlation",
        "Cotreatment",
        "Comparison",
        "Drug_Interaction",
        "Conversion",
    }
    for annotation in first.annotations:
        assert first.text_at(annotation.start, annotation.end) == annotation.text


def test_bioc_formats_are_detected():
    assert detect_format(FIXTURES / "x", (FIXTURES / "nlm_gene_12461077.bioc.xml").read_text()) == "bioc-xml"
    assert detect_format(FIXTURES / "x", (FIXTURES / "biored_two.bioc.json").read_text()) == "bioc-json"


def test_malformed_bioc_is_reported_not_raised(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"documents": [{"id": "1", "passages": [{"offset": "x"}]}], ')
    [error] = list(iter_documents([path], format="bioc-json"))
    assert isinstance(error, ReaderError) and "not valid JSON" in str(error)


def test_pubmed_xml_articles_stream_with_their_metadata_and_a_bad_one_is_reported(tmp_path):
    items = list(iter_documents([FIXTURES / "pubmed_sample.xml"]))
    documents = [i for i in items if not isinstance(i, ReaderError)]
    errors = [i for i in items if isinstance(i, ReaderError)]
    assert [d.id for d in documents] == ["PMID:38912345", "PMID:6794356"]
    first = documents[0]
    assert first.title == "Dupilumab for acquired reactive perforating collagenosis in atopic dermatitis."
    assert [p.kind for p in first.passages] == ["title", "abstract:background", "abstract:case"]
    meta = dict(first.metadata)
    assert (
        meta["doi"] == "10.1155/2024/6265608"
        and meta["pmcid"] == "PMC11208807"
        and meta["date"] == "2024-06-19"
    )
    assert meta["authors"] == "Niccolò Gori, Dermatology Study Group"
    assert dict(documents[1].metadata)["date"] == "1981" and "doi" not in dict(documents[1].metadata)
    assert len(errors) == 1 and "99999999" in str(errors[0]) and "ArticleTitle" in str(errors[0])
    compressed = tmp_path / "pubmed24n0001.xml.gz"
    compressed.write_bytes(gzip.compress((FIXTURES / "pubmed_sample.xml").read_bytes()))
    assert len([i for i in iter_documents([compressed]) if not isinstance(i, ReaderError)]) == 2


def test_jats_articles_keep_sections_and_captions_but_not_references():
    [document] = read_documents([FIXTURES / "jats_sample.xml"])
    assert document.id == "PMC:11208807" and document.title.startswith("Successful Use of Dupilumab")
    kinds = [p.kind for p in document.passages]
    assert kinds == ["title", "abstract", "introduction", "introduction", "case_presentation", "caption"]
    assert not any("reference that is not text" in p.text for p in document.passages)
    assert dict(document.metadata)["pmcid"] == "PMC11208807"
    for passage in document.passages:
        assert document.text_at(passage.offset, passage.end) == passage.text


def test_xml_formats_are_detected():
    for name, expected in (("pubmed_sample.xml", "pubmed"), ("jats_sample.xml", "jats")):
        assert detect_format(FIXTURES / name, (FIXTURES / name).read_text()) == expected


# tmVar's outputs in PubTator form, cut from ../shared/realworld/pubtator (griffithlab/civic-pubtator @
# 5d7dde74: example_data/36922589/04_tmvar3/s41586-023-05755-9.xml.PubTator, title, abstract and the body's
# first 1,600 characters; bionlplab/bioc @ e3559aa3: tests/pubtator/tmVar.Normalization.txt, its first
# document).


def test_tmvar3_passage_tags_are_read_as_pubtator():
    path = FIXTURES / "civic_tmvar3_excerpt.PubTator"
    assert detect_format(path, path.read_text()) == "pubtator"
    [document] = read_documents([path])
    assert [p.kind for p in document.passages] == ["title", "abstract", "body"]
    assert document.passages[2].offset == document.passages[1].end + 1
    for annotation in document.annotations:
        assert document.text_at(annotation.start, annotation.end) == annotation.text


def test_variant_annotations_keep_their_ids():
    [document] = read_documents([FIXTURES / "civic_tmvar3_excerpt.PubTator"])
    ids = {a.text: a.ids for a in document.annotations if a.type == "Variant"}
    # tmVar 3's "tmVar:p|SUB|M|327|V;HGVS:p.M327V;…;RS#:777439723" -> its dbSNP ID, then kg's local ID
    assert ids["M327V"] == ("DBSNP:rs777439723", "KG:variant.p-m327v")
    assert ids["M327"] == ("DBSNP:rs777439723", "KG:variant.p-m327")  # an allele
    [document] = read_documents([FIXTURES / "tmvar_normalization_22051099.pubtator"])
    ids = {a.text: a.ids for a in document.annotations if a.type == "Variant"}
    assert ids["rs2234671"] == ("DBSNP:rs2234671",)
    # tmVar's 7th column, RSID:2234671: the dbSNP ID tmVar normalised the change to
    assert ids["Ex2+860G>C"] == ("DBSNP:rs2234671", "KG:variant.c-ex2-plus-860g-gt-c")
    assert ids["S276T"] == ("DBSNP:rs2234671", "KG:variant.p-s276t")


def test_biored_variant_and_organism_ids_and_variant_relations(corpora):
    documents = {d.id: d for d in read_documents([corpora / "biored" / "Dev.PubTator"])}
    document = documents["PMID:16152606"]
    ids = {(a.text, a.type): a.ids for a in document.annotations}
    assert ids[("657del5", "Variant")] == ("KG:variant.c-657del5",)
    assert ids[("R215W", "Variant")] == ("KG:variant.p-r215w",)
    species = [a for d in documents.values() for a in d.annotations if a.type == "Species"]
    assert species and all(i.startswith("NCBITaxon:") for a in species for i in a.ids)
    from kg.train.corpora import gold_id

    arguments = {gold_id(x) for r in documents["PMID:16277682"].relations for x in (r.subject, r.object)}
    assert "DBSNP:rs771966860" in arguments

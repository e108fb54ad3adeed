from rag.index.bm25 import BM25, tokenize


def test_tokenize_drops_punctuation_and_keeps_subwords() -> None:
    tokens = tokenize("人工智能监管法律，sora 3.01%！")
    assert "人工智能" in tokens and "智能" in tokens and "sora" in tokens
    assert "，" not in tokens and "！" not in tokens


def test_rare_terms_rank_their_document_first() -> None:
    docs = ["梅洛尼表示意大利政府正在制定人工智能法律", "高盛报告引发人工智能股票下跌",
            "人工智能视频模型可以生成60秒视频"]
    bm25 = BM25([tokenize(d) for d in docs])
    assert bm25.scores(tokenize("梅洛尼说了什么")).argmax() == 0
    assert bm25.scores(tokenize("高盛的报告")).argmax() == 1
    assert not bm25.scores(tokenize("完全无关的词")).any()

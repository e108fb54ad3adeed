import re
from pathlib import Path

import pytest

from rag.ingest.cleaning import clean, duplicate_paragraphs, spam_lines, trailing_boilerplate

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_FILES = sorted(SEEDS.glob("00*.txt"))

# Per seed: debris that must be gone from the clean text, and sentences that must survive.
EXPECTED = {
    "000": (
        ["责任编辑:刘万里 SF014", "相关文章"],
        [
            "当前最火的生成式AI领域,传来两则利空消息!",
            "截至收盘,Sora指数涨幅为3.01%。",
            "OpenAI的Sora项目研究负责人蒂姆·布鲁克斯(Tim Brooks)说。",
            "谷歌、亚马逊下调预期",
            "梅洛尼表示,人工智能技术只有在以“人类的权利和需求”为中心的道德规则范围内发展,"
            "才能释放出它所有的积极潜力。",
        ],
    ),
    "001": (
        ["本文作者:新智元", "來源:新智元", "原文標題"],
        [
            "Is Sora stuck in the research quagmire?",
            "Similarweb 的每月 AI 服務顯示,ChatGPT 實現了 66.2% 的同比增長,",
            "緊接着,《金融時報》轉載了這張圖表。",
            "所以,高盛給投資者的建議是,投資應該更加多元化,不要一味多買英偉達的股票。",
        ],
    ),
    "002": (
        [],
        [
            "SORA再次讓業界興奮不已。",
            "生成的**長度是二級、簡單的場景。",
            "因此,面對SORA帶來的挑戰,你還不如讓子彈再飛一會兒。",
            "北京商報記者 楊躍涵.",
        ],
    ),
    "003": (
        [
            "(zhù)",
            "(shí)",
            "(huì )",
            "(mǎn)",
            "?/div>",
            "/div>",
            "亚洲欧洲综合5388",
            "国产极品美女高潮无套",
            "編輯:宋玉錚",
            "來源:中國冶金報-中國鋼鐵新聞網",
            "相關文檔",
            "版權說明",
            "凡本網注明",
            "電話:010—010-64411649",
            "csteelnews@126.com",
            "guisheng.yang@dentons.cn",
            "京ICP備07016269號",
            "版權所有",
        ],
        [
            "一只狼對著月亮嚎叫,感到孤獨,直到它找到狼群",
            "她穿著黑色皮夾克、紅色長裙和黑色靴子,拎著黑色錢包",
            "其官網已經更新48個類似的視頻demo(樣片)。",
            "將先進的AI(人工智能)技術拓展到了視頻領域",
            "可以劃分為若干成熟度等級(如L0、L1、L2、L3、L4等)",
            "奧特曼(OpenAI CEO)是個營銷大師",
            "AGI不再遙遠 工業應用猶可期",
            "相關鏈接\nAI在贊比亞\n探測到巨型銅礦",
            "日本執政黨自民黨計劃在2024年提議政府引入生成式人工智能立法。",
            "《中國冶金報》(2024年02月20日 04版四版)",
        ],
    ),
    "004": (
        ["</p>", "(jù)", "(nèi)", "(chuàng)", "(xiàn)"],
        [
            "◎陳寧",
            "可以根據用戶輸入的提示詞生成長達60 秒的高清視頻",
            "用于視頻生成的ScalingTransformers(數據變壓器)",
            "Sora 的誕生意味著AGI(通用人工智能)的實現可能從10 年縮短至兩年左右。",
            "如今Sora模型為中小企業提供了制作視頻廣告的新機遇",
            # the appended "對話AI" section on flexible employment is content: kept
            "對話AI\n【編者按】 與其紙上談兵,不如與AI 交交手。",
            "我們應積極關注這一群體的權益保護問題,共同為他們創造一個更加公平、正義的就業環境。",
        ],
    ),
}

_TONED_PINYIN = re.compile(r"\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]")


def _seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_debris_goes_and_content_stays(prefix: str) -> None:
    original = _seed(prefix)
    text = clean(original).text
    gone, kept = EXPECTED[prefix]
    for debris in gone:
        assert debris not in text, debris
    for sentence in kept:
        assert sentence in text, sentence
    assert not _TONED_PINYIN.search(text)


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_offsets_point_at_the_original_characters(path: Path) -> None:
    original = path.read_text(encoding="utf-8")
    cleaned = clean(original)
    assert len(cleaned.offsets) == len(cleaned.text)
    assert all(ch == original[o] for ch, o in zip(cleaned.text, cleaned.offsets))
    assert all(a < b for a, b in zip(cleaned.offsets, cleaned.offsets[1:]))
    assert cleaned.text == cleaned.text.strip()
    assert "\n\n" not in cleaned.text and "  " not in cleaned.text


def test_seed_002_has_no_debris_and_only_loses_nothing() -> None:
    original = _seed("002")
    assert clean(original).text == original.strip()


def test_spam_line_rule_finds_exactly_the_keyword_line_of_003() -> None:
    original = _seed("003")
    (span,) = spam_lines(original)
    assert original[slice(*span)].startswith("亚洲欧洲综合5388_97欧美激情超碰一区二区_")
    for path in SEED_FILES:
        if not path.name.startswith("003"):
            assert spam_lines(path.read_text(encoding="utf-8")) == []


def test_spam_line_rule_spares_headings_and_prose() -> None:
    text = (
        "AGI不再遙遠 工業應用猶可期\n北京 上海 广州\n"
        "今天天气很好，我们去公园散步 然后回家 吃饭 睡觉。"
    )
    assert spam_lines(text) == []
    assert spam_lines("减肥药 代开发票 网络赌博 彩票推荐 成人视频") != []


def test_repeated_paragraph_is_dropped_the_second_time_only() -> None:
    block = "【2】 凡本網注明來源的作品，均轉載自其它媒體，不構成投資建議。"
    text = f"正文第一段。\n{block}\n短句重複\n中間的正文。\n{block}\n短句重複\n結尾的正文。"
    result = clean(text).text
    assert result.count(block) == 1
    assert result.count("短句重複") == 2  # under 20 characters: may legitimately repeat
    assert result.endswith("結尾的正文。")
    assert len(duplicate_paragraphs(text)) == 1


def test_boilerplate_is_removed_only_at_the_end() -> None:
    text = (
        "編輯:這一行在正文中間，保留。\n"
        "正文最後一句，提到轉載和電話也無妨。\n"
        "\n"
        "责任编辑:刘万里 SF014\n"
        "相关文章\n"
        "地址:北京市朝阳区 邮编:100029 电话:(010)64442120\n"
        "版权所有 京ICP备07016269号\n"
    )
    result = clean(text).text
    assert result == "編輯:這一行在正文中間，保留。\n正文最後一句，提到轉載和電話也無妨。"
    assert len(trailing_boilerplate(text)) == 4


def test_an_article_on_one_line_is_never_boilerplate() -> None:
    # news archives store each article as one line: a credit at its start, or a phone
    # number or "本网" in its body, must not make the whole article a trailing notice
    article = "来源：本网讯 " + "某市今天发布通知，咨询电话：12345。" * 20
    assert clean(article).text == article.strip()
    assert clean("电话：12345").text == "电话：12345"


def test_a_long_last_paragraph_is_content() -> None:
    body = "最后一段正文提到了本网的报道和联系电话：12345，" * 12
    text = f"第一段正文。\n{body}\n责任编辑:刘万里"
    assert clean(text).text == f"第一段正文。\n{body}"


def test_tags_and_tag_fragments_are_removed_but_text_between_is_kept() -> None:
    text = '<div class="a">第一段<br/>文字</div>\n<!-- 注释 -->第二段?/div>\n第三段</p>'
    assert clean(text).text == "第一段文字\n第二段\n第三段"


def test_pinyin_needs_a_tone_mark_and_a_letter_right_before() -> None:
    text = "著(zhù)作、會(huì )議、視頻（shì）、(zhù)開頭、中文(LLM)、蒂姆(Tim)、Beijing (Běijīng)"
    assert (
        clean(text).text == "著作、會議、視頻、(zhù)開頭、中文(LLM)、蒂姆(Tim)、Beijing (Běijīng)"
    )


def test_whitespace_runs_collapse_by_deletion() -> None:
    text = "\ufeff  第一行 \t 有空格  \r\n\r\n\u3000\u3000第二行\u200b\n\n\n  "
    cleaned = clean(text)
    assert cleaned.text == "第一行 有空格\n第二行"
    assert all(ch == text[o] for ch, o in zip(cleaned.text, cleaned.offsets))


def test_empty_and_blank_text() -> None:
    assert clean("").text == ""
    assert clean(" \n\t ").offsets == []


def test_mojibake_of_a_closing_quote_is_removed_and_ends_the_sentence() -> None:
    from rag.ingest.chunking import split_sentences

    for fragment, kept in [("更高?!辩娍『票硎?,影視行業", "更高?影視行業"),
                           ("更高?! 影視行業", "更高? 影視行業")]:
        text = clean(fragment).text
        assert text == kept
        assert len(split_sentences(text)) == 2
    # the mangled character glued to a Latin word goes; its lost letter cannot come back
    assert clean("極端?!癝ora 讓人").text == "極端?ora 讓人"

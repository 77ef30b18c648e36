@testable import Search

/// A small catalogue that exercises every tokenizer path, shared by the evaluator test and the
/// FTS5 engine test.
enum SearchFixtures {
    struct Record {
        var id: Int
        var year: Int?
        var texts: [SearchField: String]

        var document: SearchDocument { SearchDocument(texts: texts, year: year) }
    }

    static let records: [Record] = [
        Record(id: 1, year: 2015, texts: [
            .title: "关于加强档案馆建设的通知",
            .creator: "市档案局",
            .documentNumber: "市档发〔2015〕12号",
            .archivalCode: "J012-WS·2015-Y-BGS-0001",
            .body: "为加强档案馆藏管理，现将有关事项通知如下。",
        ]),
        Record(id: 2, year: 1956, texts: [
            .title: "檔案館藏目錄",
            .creator: "臺灣省文獻委員會",
            .archivalCode: "J013-WS·1956-Y-0002",
            .body: "本館所藏檔案，計有公文、書信。",
        ]),
        Record(id: 3, year: 2015, texts: [
            .title: "Annual Report on Archives",
            .creator: "City Archives Bureau",
            .archivalCode: "J012-KJ·2015-D30-JJK-0003-007",
            .body: "ISO 15489 records management; café résumé. Records are evidence.",
        ]),
        Record(id: 4, year: 2020, texts: [
            .title: "会议纪要（草稿）",
            .creator: "办公室",
            .body: "讨论档案数字化工作，涉及J012全宗。",
        ]),
        Record(id: 5, year: 2010, texts: [
            .title: "婚姻登记档案",
            .creator: "民政局",
            .documentNumber: "民发〔2010〕3号",
            .body: "结婚证明，跨馆出证。",
        ]),
        // A phrase must not match across two columns: title ends with j012, creator starts with ws.
        Record(id: 6, year: nil, texts: [
            .title: "目录 J012",
            .creator: "WS 工作组",
            .body: "第一档节目",
        ]),
        // Quotes, backslashes and operator words as data.
        Record(id: 7, year: 1999, texts: [
            .title: "He said \"NEAR\" AND 'OR'",
            .body: "path C:\\docs\\a.txt; it's 100% {title} : x -- drop table",
        ]),
        Record(id: 8, year: 2012, texts: [
            .title: "ＡＢＣ１２３ 全角测试",
            .creator: "档",
            .body: "档 案",
        ]),
    ]

    /// Queries whose hits engines must agree on, hostile ones included.
    static let queries: [String] = [
        "档案", "档案馆", "檔案館", "档", "案", "馆藏", "目录", "目錄", "J012", "j012", "J012-WS·2015", "J012 WS",
        "\"j012 ws\"", "WS", "2015", "0001", "题名:档案", "责任者:档案局", "责任者:档", "文号:2015", "文号:〔2015〕12号",
        "档号:J012-WS", "档号:J012", "全文:档案", "title:archives", "archives", "archive*", "records", "\"records management\"",
        "café", "CAFÉ", "resume", "résumé", "iso 15489", "档案 -草稿", "档案 NOT 草稿", "档案 OR 婚姻", "(档案 OR 婚姻) 2015",
        "档案 -(会议 OR 婚姻)", "题名:(档案 OR 纪要) -题名:草稿", "abc123", "ＡＢＣ１２３", "abc*", "全角", "档 案", "\"档 案\"",
        "“档 案”", "台湾", "臺灣", "文獻", "节目", "一档", "第一档节目", "NEAR", "\"NEAR\"", "near", "OR", "'OR'", "drop table",
        "c:\\docs", "it's", "100%", "{title} : x", "title : x", "^x", "x*", "\"", "(", "a OR", "-", "年度:2015 档案",
        "年度:2010-2015 档号:J012", "年度:1950-1960", "年度:2015", "年度:2015 年度:2010", "档案 年度:1999", "-档案 记录",
        "records -evidence", "records OR -evidence", "出证", "跨馆", "结婚 证明", "结婚证明", "证明 结婚",
    ]
}

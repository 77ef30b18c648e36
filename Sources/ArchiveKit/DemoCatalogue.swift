/// A deterministic demo catalogue of the (fictional) 江临市档案馆: four fonds of city agencies
/// and their files (案卷) and items (件) from 1950 to 2024, described the way a Chinese city
/// archives describes them — titles built on the conventions of official documents, document
/// numbers (文号) that increase within an agency and year, 民生 records citizens ask for
/// (marriage registration, school rolls, land certificates, recruitment, demobilisation),
/// and realistic spreads of retention, classification and access status.
///
/// Everything is invented: the city, its districts, agencies, people and projects. The same
/// seed always gives the same catalogue (a private SplitMix64; no system randomness, no clock),
/// and generation is linear in `itemCount`, so it also serves as benchmark data.
///
/// `records` are ordered by fonds, then year, then category (WS, KJ, KU, ZP, LY, LX, SW, DZ),
/// then date; the items of a file follow it directly, in date order, and share its category,
/// year, retention, organisation, classification, access status and location — so numbering
/// them in array order gives 档号 in chronological order within each group.
public struct DemoCatalogue: Sendable {
    public struct Fonds: Sendable, Equatable {
        /// 全宗号, e.g. J001
        public var code: String
        /// 全宗名称
        public var name: String
        /// 立档单位名称
        public var agency: String
        /// 机构沿革
        public var history: String
        public var startYear: Int
        public var endYear: Int
    }

    public struct Record: Sendable {
        /// 0-based index in `records`.
        public var key: Int
        /// For an item inside a file (卷内文件): the key of the file, which comes earlier.
        public var parentKey: Int?
        /// Fonds code.
        public var fonds: String
        public var description: RecordDescription
    }

    public var fonds: [Fonds]
    public var records: [Record]

    /// Generates about `itemCount` records (files and items together).
    public static func generate(seed: UInt64 = 20241127, itemCount: Int = 2000) -> DemoCatalogue {
        var builder = DemoBuilder(seed: seed)
        builder.build(target: max(0, itemCount))
        return DemoCatalogue(fonds: DemoLexicon.profiles.map(\.fonds), records: builder.records)
    }
}

// MARK: - Random numbers

/// SplitMix64 (Steele, Lea & Flood 2014): small, fast, and the same on every platform.
private struct DemoRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    mutating func int(_ r: ClosedRange<Int>) -> Int {
        r.lowerBound + Int(next() % UInt64(r.upperBound - r.lowerBound + 1))
    }

    mutating func chance(_ p: Double) -> Bool { unit() < p }

    mutating func pick<T>(_ a: [T]) -> T { a[Int(next() % UInt64(a.count))] }

    /// `k` distinct indices of `0..<n`, ascending (selection sampling, Knuth's algorithm S).
    mutating func ordered(_ k: Int, of n: Int) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(k)
        var i = 0
        while out.count < k && i < n {
            if Double(n - i) * unit() < Double(k - out.count) { out.append(i) }
            i += 1
        }
        return out
    }

    /// An index chosen with the given weights.
    mutating func weighted(_ w: [Double]) -> Int {
        var total = 0.0
        for x in w { total += x }
        var r = unit() * total
        for (i, x) in w.enumerated() {
            if r < x { return i }
            r -= x
        }
        return w.count - 1
    }
}

// MARK: - Vocabulary

/// A period of an agency: its name then, the abbreviation of its document numbers, the
/// provincial department above it and the name of its line of work.
private struct DemoEra: Sendable {
    let from: Int
    let to: Int
    let name: String
    let abbr: String
    let province: String
    let work: String
}

/// A subject of business (事项) an agency writes about.
private struct DemoTopic: Sendable {
    let text: String
    let subjects: [String]
    let org: String
    let years: [ClosedRange<Int>]
    /// Probability that a record on it is classified.
    let secrecy: Double
    /// Whether it may be 绝密.
    let topSecret: Bool

    func covers(_ y: Int) -> Bool { years.contains { $0.contains(y) } }
}

private func topic(_ text: String, _ subjects: [String], _ org: String, _ years: ClosedRange<Int>...,
                   secrecy: Double = 0.006, top: Bool = false) -> DemoTopic {
    DemoTopic(text: text, subjects: subjects, org: org, years: years.isEmpty ? [1950...2024] : years,
              secrecy: secrecy, topSecret: top)
}

private enum DemoAgency: Sendable { case government, education, land, civil }

/// A partner agency that may sign a joint document (联合发文).
private struct DemoPartner: Sendable {
    let name: String
    let years: ClosedRange<Int>
}

private struct DemoProfile: Sendable {
    let agency: DemoAgency
    let fonds: DemoCatalogue.Fonds
    /// Share of the catalogue.
    let share: Double
    let eras: [DemoEra]
    /// General subject term of the agency's field.
    let domain: String
    let topics: [DemoTopic]
    let partners: [DemoPartner]
    /// Storeroom for paper records.
    let room: Int
    /// Honours (奖牌) the agency may hold.
    let honours: [String]

    func era(_ y: Int) -> DemoEra { eras.first { $0.contains(y) } ?? eras[eras.count - 1] }
}

extension DemoEra {
    func contains(_ y: Int) -> Bool { from <= y && y <= to }
}

private enum DemoLexicon {
    static let categories = ["WS", "KJ", "KU", "ZP", "LY", "LX", "SW", "DZ"]
    static let firstYear = 1950
    static let lastYear = 2024
    static let city = "江临市"

    static let urbanDistricts = ["城关区", "江北区", "江南区", "东湖区"]
    static let counties = ["青石县", "白沙县", "柳溪县", "望山县"]
    static let districts = ["城关区", "江北区", "江南区", "东湖区", "青石县", "白沙县", "柳溪县", "望山县"]
    static let towns = ["河口镇", "双桥乡", "石门乡", "桃源镇", "新集镇", "龙泉乡", "马坊镇", "溪口乡", "白塔镇", "杨林乡",
                        "清水镇", "黄土岭乡"]
    static let villages = ["王家庄村", "李家湾村", "大柳树村", "东坪村", "沙湾村", "石桥村", "杨柳村", "下庄村", "张家坝村",
                           "河西村", "高岭村", "前进村", "枣林村", "新河村"]
    static let roads = ["解放路", "人民路", "中山路", "建设路", "滨江路", "胜利街", "和平路", "朝阳路", "工农路", "新华路",
                        "环城北路", "江临大道"]
    static let factories = ["江临市第一棉纺织厂", "江临市机床厂", "江临市化肥厂", "江临市红星机械厂", "江临市食品公司",
                            "江临市百货公司", "江临市自行车厂", "江临市印刷厂", "江临市水泥厂", "江临市搪瓷厂",
                            "江临市电子仪器厂", "江临市啤酒厂", "江临市造纸厂", "江临市第二棉纺织厂", "江临市农机修造厂",
                            "江临市煤矿", "江临市汽车运输公司", "江临市五金交电公司"]

    static let surnames = Array("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦史顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚文").map(String.init)
    static let maleOld = ["建国", "国庆", "援朝", "志强", "卫国", "德明", "文华", "振华", "德胜", "长生", "福林", "永庆",
                          "树林", "宝山", "金生", "保国", "立新", "跃进", "卫东", "红兵", "学军", "向东", "光明", "家顺"]
    static let maleNew = ["伟", "磊", "强", "军", "勇", "涛", "斌", "浩", "鹏", "杰", "宇", "超", "明", "刚", "俊杰", "子豪",
                          "浩然", "宇轩", "志远", "文博", "一鸣", "晨阳", "海峰", "建华"]
    static let femaleOld = ["秀英", "桂兰", "玉兰", "秀兰", "凤英", "淑珍", "桂英", "玉珍", "红梅", "素芳", "翠花", "丽华",
                            "爱华", "秀珍", "金凤", "春梅", "兰芳", "淑华"]
    static let femaleNew = ["芳", "娜", "静", "丽", "敏", "婷", "燕", "丹", "霞", "晶", "雪", "欣怡", "雨涵", "梓涵", "诗琪",
                            "佳怡", "思雨", "晓燕"]

    /// Captions of the photographs of a ceremony or meeting.
    static let ceremonyScenes = ["会场全景", "主席台", "领导讲话", "与会人员合影", "颁奖仪式", "群众参与", "剪彩仪式",
                                 "签字仪式", "文艺演出", "媒体采访", "活动现场远景", "入场及签到"]
    /// Captions of the photographs of work in the field (inspections, surveys, floods).
    static let fieldScenes = ["现场全景", "实地察看", "听取汇报", "现场勘查", "工作人员作业", "现场指导", "座谈交流",
                              "群众走访", "细部特写", "测量放样", "资料核对", "周边环境"]
    static let fieldWords = ["现场", "视察", "勘查", "抢险", "救灾", "执法", "清查", "调查", "整理", "隐患", "巡查"]
    static let pennantPhrases = ["情系百姓 心系民生", "为民解忧 服务热情", "廉洁高效 服务为民", "拥军优属 情深似海",
                                 "执法为民 公正廉明", "教书育人 师德高尚", "排忧解难 真情为民", "雪中送炭 恩重如山"]
    static let paperNotes = ["原件字迹褪色，已数字化", "部分页面破损，已修复", "附件缺失", "含领导手写批示", "复印件，原件已移交",
                             "页码有误，已重新编页", "含附表及附图"]

    static let orgNames: [String: String] = [
        "BGS": "办公室", "MSK": "秘书科", "ZHK": "综合科", "DCK": "督查科", "FZK": "法制科", "RSK": "人事科",
        "CWK": "财务科", "XFK": "信访科", "JJK": "基建科", "ZCK": "政策法规科", "JYK": "基础教育科",
        "ZJK": "职业教育科", "ZSK": "招生考试科", "XSK": "学生科", "DJK": "登记科", "ZDK": "征地科",
        "GHK": "规划科", "CHK": "测绘科", "GBK": "耕地保护科", "ZFK": "执法监察科", "KCK": "矿产资源科",
        "YFK": "优抚科", "AZK": "安置科", "JZK": "救灾救济科", "HYK": "婚姻登记处", "QHK": "区划地名科",
        "JCK": "基层政权科", "FLK": "社会福利科", "SDK": "社团登记科",
    ]

    static let profiles: [DemoProfile] = [government, education, land, civil]

    // MARK: 江临市人民政府办公室

    static let government = DemoProfile(
        agency: .government,
        fonds: .init(code: "J001", name: "江临市人民政府办公室", agency: "江临市人民政府办公室",
                     history: "1950年1月江临市人民政府成立，设秘书处，1952年改称江临市人民政府办公室。1955年江临市人民委员会成立，改称江临市人民委员会办公室；1968年由江临市革命委员会办公室行使其职能。1980年恢复江临市人民政府，重设江临市人民政府办公室至今，负责市政府文电、会务、督查督办、信息和政务公开等工作。",
                     startYear: 1950, endYear: 2024),
        share: 0.34,
        eras: [
            .init(from: 1950, to: 1954, name: "江临市人民政府办公室", abbr: "江政办", province: "江东省人民政府", work: "政务"),
            .init(from: 1955, to: 1967, name: "江临市人民委员会办公室", abbr: "江人委办", province: "江东省人民委员会", work: "政务"),
            .init(from: 1968, to: 1979, name: "江临市革命委员会办公室", abbr: "江革办", province: "江东省革命委员会", work: "政务"),
            .init(from: 1980, to: 2024, name: "江临市人民政府办公室", abbr: "江政办", province: "江东省人民政府", work: "政务"),
        ],
        domain: "政务",
        topics: [
            topic("防汛抗旱", ["防汛", "抗旱"], "ZHK"),
            topic("城市建设规划", ["城市规划"], "ZHK"),
            topic("安全生产检查", ["安全生产"], "ZHK", 1952...2024),
            topic("节日期间市场供应", ["市场供应"], "ZHK"),
            topic("爱国卫生运动", ["爱国卫生"], "MSK"),
            topic("植树造林", ["植树造林", "绿化"], "ZHK"),
            topic("人口普查", ["人口普查"], "ZHK", 1953...1954, 1964...1964, 1982...1982, 1990...1990, 2000...2000,
                  2010...2010, 2020...2021),
            topic("征兵工作", ["兵役", "征兵"], "ZHK", secrecy: 0.3),
            topic("民兵整组", ["民兵"], "ZHK", secrecy: 0.3),
            topic("人民防空建设", ["人民防空"], "ZHK", 1965...2024, secrecy: 0.45, top: true),
            topic("战备疏散", ["战备"], "MSK", 1965...1979, secrecy: 0.6, top: true),
            topic("机构编制调整", ["机构编制"], "RSK", secrecy: 0.2),
            topic("财政预算执行", ["财政预算"], "CWK"),
            topic("粮食统购统销", ["粮食"], "ZHK", 1953...1984),
            topic("农业合作化", ["农业合作化"], "ZHK", 1953...1957),
            topic("城镇居民口粮供应", ["粮食", "口粮"], "ZHK", 1955...1992),
            topic("抗美援朝支前", ["抗美援朝"], "MSK", 1950...1953),
            topic("土地改革复查", ["土地改革"], "ZHK", 1950...1953),
            topic("知识青年上山下乡", ["知识青年"], "ZHK", 1962...1979),
            topic("知识青年返城安置", ["知识青年", "安置"], "RSK", 1978...1982),
            topic("国营企业扩大经营自主权", ["企业改革"], "ZHK", 1979...1991),
            topic("乡镇企业发展", ["乡镇企业"], "ZHK", 1984...2002),
            topic("国有企业改制", ["企业改制"], "ZHK", 1995...2008),
            topic("下岗职工再就业", ["再就业"], "RSK", 1996...2006),
            topic("招商引资", ["招商引资"], "ZHK", 1992...2024),
            topic("信访工作", ["信访"], "XFK"),
            topic("政务公开", ["政务公开"], "FZK", 2000...2024),
            topic("行政审批制度改革", ["行政审批"], "FZK", 2001...2024),
            topic("社会主义新农村建设", ["新农村建设"], "ZHK", 2006...2015),
            topic("全国文明城市创建", ["文明城市"], "ZHK", 2005...2024),
            topic("精准扶贫", ["扶贫"], "ZHK", 2014...2020),
            topic("乡村振兴", ["乡村振兴"], "ZHK", 2018...2024),
            topic("新冠肺炎疫情防控", ["疫情防控"], "ZHK", 2020...2022),
            topic("城市棚户区改造", ["棚户区改造"], "ZHK", 2008...2020),
            topic("城镇老旧小区改造", ["老旧小区改造"], "ZHK", 2019...2024),
            topic("社会治安综合治理", ["社会治安"], "DCK", 1991...2024),
            topic("市政府重点工作督查", ["督查"], "DCK", 1990...2024),
            topic("计划生育", ["计划生育"], "ZHK", 1971...2015),
            topic("普法教育", ["普法"], "FZK", 1986...2024),
            topic("职工工资调整", ["工资"], "RSK", 1956...2024),
            topic("全民所有制企业招工", ["招工", "劳动就业"], "RSK", 1956...1995),
            topic("城市供水供电", ["公用事业"], "ZHK"),
            topic("人大代表建议和政协委员提案办理", ["建议提案"], "DCK", 1980...2024),
            topic("春运交通保障", ["交通"], "ZHK", 1980...2024),
            topic("电子政务建设", ["电子政务"], "BGS", 2001...2024),
            topic("机关档案工作", ["档案管理"], "BGS"),
            topic("保密工作", ["保密"], "BGS", secrecy: 0.3),
            topic("退休职工安置", ["退休"], "RSK", 1978...2024),
        ],
        partners: [
            .init(name: "中共江临市委办公室", years: 1950...2024),
            .init(name: "江临市财政局", years: 1950...2024),
            .init(name: "江临市人民武装部", years: 1950...2024),
            .init(name: "江临市计划委员会", years: 1953...2002),
            .init(name: "江临市发展和改革委员会", years: 2003...2024),
        ],
        room: 1,
        honours: ["全国卫生城市", "全国双拥模范城", "全省文明城市", "全国文明城市", "全省政务公开先进单位", "全国档案工作优秀集体"]
    )

    // MARK: 江临市教育局

    static let education = DemoProfile(
        agency: .education,
        fonds: .init(code: "J012", name: "江临市教育局", agency: "江临市教育局",
                     history: "1950年3月设江临市文教局，主管全市教育、文化和卫生工作。1956年文教分设，成立江临市教育局。1968年其职能由江临市革命委员会文教组行使，1979年恢复江临市教育局。1984年起加挂江临市招生委员会办公室牌子，统管全市招生考试工作。",
                     startYear: 1950, endYear: 2024),
        share: 0.24,
        eras: [
            .init(from: 1950, to: 1955, name: "江临市文教局", abbr: "江文教", province: "江东省文教厅", work: "文教"),
            .init(from: 1956, to: 1967, name: "江临市教育局", abbr: "江教", province: "江东省教育厅", work: "教育"),
            .init(from: 1968, to: 1978, name: "江临市革命委员会文教组", abbr: "江革文教", province: "江东省革命委员会文教组", work: "教育"),
            .init(from: 1979, to: 2024, name: "江临市教育局", abbr: "江教", province: "江东省教育厅", work: "教育"),
        ],
        domain: "教育",
        topics: [
            topic("中小学校舍改造", ["校舍", "基本建设"], "JJK", 1980...2024),
            topic("中小学危房改造", ["危房改造", "校舍"], "JJK", 1988...2012),
            topic("教师职称评定", ["职称", "教师"], "RSK", 1986...2024),
            topic("民办教师转正", ["民办教师"], "RSK", 1978...2000),
            topic("扫除文盲", ["扫盲"], "JYK", 1950...1965, 1978...1995),
            topic("工农速成教育", ["工农教育"], "JYK", 1950...1957),
            topic("普及九年义务教育", ["义务教育"], "JYK", 1986...2010),
            topic("普通高等学校招生", ["招生", "高考"], "ZSK", 1952...1965, 1977...2024),
            topic("中等专业学校招生", ["招生"], "ZSK", 1952...2024),
            topic("中小学学籍管理", ["学籍"], "XSK"),
            topic("中小学教师培训", ["师资培训", "教师"], "RSK"),
            topic("勤工俭学", ["勤工俭学"], "JYK", 1958...1990),
            topic("学校安全工作", ["校园安全"], "BGS", 1995...2024),
            topic("教育经费管理", ["教育经费"], "CWK"),
            topic("幼儿教育", ["学前教育"], "JYK"),
            topic("职业技术教育", ["职业教育"], "ZJK", 1980...2024),
            topic("素质教育", ["素质教育"], "JYK", 1997...2015),
            topic("中小学布局调整", ["布局调整"], "ZCK", 2001...2015),
            topic("农村义务教育学生营养改善计划", ["学生营养"], "XSK", 2011...2024),
            topic("义务教育阶段减轻学生负担", ["减负"], "JYK", 2021...2024),
            topic("教育信息化建设", ["教育信息化"], "ZCK", 2000...2024),
            topic("高中毕业会考", ["会考", "考试"], "ZSK", 1990...2015),
            topic("家庭经济困难学生资助", ["学生资助"], "XSK", 2007...2024),
            topic("教育督导评估", ["教育督导"], "ZCK", 1990...2024),
            topic("中小学教材征订", ["教材"], "JYK"),
            topic("高考试卷保密管理", ["高考", "保密"], "ZSK", 1977...2024, secrecy: 0.55, top: true),
            topic("教育系统干部任免", ["干部任免"], "RSK", secrecy: 0.25),
            topic("学校体育卫生工作", ["学校体育", "卫生"], "JYK"),
            topic("教育法律法规宣传", ["教育法规"], "ZCK", 1986...2024),
            topic("中小学德育工作", ["德育"], "JYK"),
        ],
        partners: [
            .init(name: "江临市财政局", years: 1950...2024),
            .init(name: "江临市计划委员会", years: 1953...2002),
            .init(name: "江临市发展和改革委员会", years: 2003...2024),
            .init(name: "江临市劳动局", years: 1950...2009),
            .init(name: "江临市人力资源和社会保障局", years: 2010...2024),
            .init(name: "江临市卫生局", years: 1956...2013),
        ],
        room: 3,
        honours: ["全国教育系统先进集体", "全省普及九年义务教育先进市", "全省教育督导工作先进单位", "全国青少年校园足球特色学校",
                  "全省招生考试工作先进单位"]
    )

    // MARK: 江临市自然资源和规划局

    static let land = DemoProfile(
        agency: .land,
        fonds: .init(code: "J025", name: "江临市自然资源和规划局", agency: "江临市自然资源和规划局",
                     history: "1953年成立江临市房地产管理局，负责城市土地房产登记和公房管理。1967年其土地管理职能并入江临市城市建设局。1987年《土地管理法》施行后组建江临市土地管理局，统一管理城乡土地。2001年与地质矿产管理部门合并组建江临市国土资源局，2019年机构改革中组建江临市自然资源和规划局。",
                     startYear: 1953, endYear: 2024),
        share: 0.20,
        eras: [
            .init(from: 1953, to: 1966, name: "江临市房地产管理局", abbr: "江房地", province: "江东省建设厅", work: "房地产管理"),
            .init(from: 1967, to: 1986, name: "江临市城市建设局", abbr: "江城建", province: "江东省建设厅", work: "城市建设"),
            .init(from: 1987, to: 2000, name: "江临市土地管理局", abbr: "江土管", province: "江东省土地管理局", work: "土地管理"),
            .init(from: 2001, to: 2018, name: "江临市国土资源局", abbr: "江国土资", province: "江东省国土资源厅", work: "国土资源"),
            .init(from: 2019, to: 2024, name: "江临市自然资源和规划局", abbr: "江自然资规", province: "江东省自然资源厅", work: "自然资源和规划"),
        ],
        domain: "土地管理",
        topics: [
            topic("国家建设征用土地", ["征地"], "ZDK", 1953...1998),
            topic("建设用地审批", ["建设用地"], "ZDK", 1987...2024),
            topic("土地征收补偿", ["征地补偿"], "ZDK", 1999...2024),
            topic("宅基地审批", ["宅基地"], "DJK", 1982...2024),
            topic("土地登记发证", ["土地登记"], "DJK", 1987...2014),
            topic("不动产统一登记", ["不动产登记"], "DJK", 2015...2024),
            topic("城市私有房产登记", ["房产登记"], "DJK", 1953...1966),
            topic("公有房产管理", ["公房"], "DJK", 1953...1986),
            topic("城市建设用地", ["建设用地"], "ZDK", 1967...1986),
            topic("城市房屋拆迁", ["拆迁"], "ZDK", 1980...2011),
            topic("地籍调查", ["地籍调查"], "CHK", 1987...2024),
            topic("国有土地使用权出让", ["土地出让"], "ZDK", 1990...2024),
            topic("耕地保护", ["耕地保护"], "GBK", 1987...2024),
            topic("基本农田保护区划定", ["基本农田"], "GBK", 1994...2018),
            topic("土地利用总体规划", ["土地规划"], "GHK", 1987...2018),
            topic("国土空间规划", ["国土空间规划"], "GHK", 2019...2024),
            topic("土地违法案件查处", ["土地执法"], "ZFK", 1987...2024),
            topic("矿产资源开发管理", ["矿产资源"], "KCK", 2001...2024),
            topic("地质灾害防治", ["地质灾害"], "KCK", 2001...2024),
            topic("测绘成果管理", ["测绘"], "CHK", 1990...2024, secrecy: 0.4),
            topic("城市测量与地形图管理", ["测绘", "地形图"], "CHK", 1953...1989, secrecy: 0.4),
            topic("土地复垦", ["土地复垦"], "GBK", 1989...2024),
            topic("农村集体土地确权登记", ["确权登记"], "DJK", 2011...2018),
            topic("土地卫片执法检查", ["土地执法", "遥感"], "ZFK", 2000...2024, secrecy: 0.3),
            topic("城市规划管理", ["城市规划"], "GHK", 2019...2024),
            topic("土地市场动态监测", ["土地市场"], "ZDK", 2008...2024),
        ],
        partners: [
            .init(name: "江临市财政局", years: 1953...2024),
            .init(name: "江临市计划委员会", years: 1953...2002),
            .init(name: "江临市发展和改革委员会", years: 2003...2024),
            .init(name: "江临市城乡建设委员会", years: 1980...2008),
            .init(name: "江临市住房和城乡建设局", years: 2009...2024),
            .init(name: "江临市农业局", years: 1953...2018),
            .init(name: "江临市农业农村局", years: 2019...2024),
        ],
        room: 4,
        honours: ["全国国土资源管理系统先进集体", "全省耕地保护目标责任考核优秀单位", "全省土地执法模范单位",
                  "全国不动产登记便民利民示范单位"]
    )

    // MARK: 江临市民政局

    static let civil = DemoProfile(
        agency: .civil,
        fonds: .init(code: "J031", name: "江临市民政局", agency: "江临市民政局",
                     history: "1950年2月成立江临市民政局，主管优抚安置、救灾救济、婚姻登记和基层政权建设。1968年其职能由江临市革命委员会民政组承担，1979年恢复江临市民政局。2019年机构改革中，退役军人优抚安置职能划入新组建的江临市退役军人事务局。",
                     startYear: 1950, endYear: 2024),
        share: 0.22,
        eras: [
            .init(from: 1950, to: 1967, name: "江临市民政局", abbr: "江民", province: "江东省民政厅", work: "民政"),
            .init(from: 1968, to: 1978, name: "江临市革命委员会民政组", abbr: "江革民", province: "江东省革命委员会民政组", work: "民政"),
            .init(from: 1979, to: 2024, name: "江临市民政局", abbr: "江民", province: "江东省民政厅", work: "民政"),
        ],
        domain: "民政",
        topics: [
            topic("婚姻登记管理", ["婚姻登记"], "HYK"),
            topic("优抚对象抚恤补助", ["优抚"], "YFK", 1950...2018),
            topic("退伍军人安置", ["退伍军人", "安置"], "AZK", 1950...2018),
            topic("革命烈士褒扬", ["烈士"], "YFK", 1950...2018),
            topic("救灾救济", ["救灾"], "JZK"),
            topic("城市居民最低生活保障", ["低保"], "JZK", 1997...2024),
            topic("农村五保供养", ["五保"], "JZK", 1956...2024),
            topic("社会福利院管理", ["社会福利"], "FLK"),
            topic("行政区划调整", ["行政区划"], "QHK", secrecy: 0.1),
            topic("地名普查", ["地名"], "QHK", 1980...1987, 2014...2018),
            topic("殡葬改革", ["殡葬"], "FLK", 1956...2024),
            topic("社会团体登记管理", ["社团登记"], "SDK", 1989...2024),
            topic("村民委员会选举", ["村民自治"], "JCK", 1988...2024),
            topic("城市社区建设", ["社区建设"], "JCK", 1999...2024),
            topic("拥军优属", ["双拥"], "YFK"),
            topic("老龄工作", ["老龄"], "FLK", 1985...2024),
            topic("残疾人社会福利", ["残疾人"], "FLK"),
            topic("流浪乞讨人员救助管理", ["社会救助"], "JZK", 2003...2024),
            topic("城市收容遣送", ["收容遣送"], "JZK", 1982...2003),
            topic("生产救灾", ["救灾", "生产自救"], "JZK", 1950...1980),
            topic("临时救助", ["社会救助"], "JZK", 2007...2024),
            topic("军队离退休干部安置", ["军休干部"], "AZK", 1980...2018, secrecy: 0.3),
            topic("烈士陵园管理", ["烈士陵园"], "YFK"),
            topic("行政区域界线勘定", ["行政区域界线"], "QHK", 1996...2024, secrecy: 0.35, top: true),
            topic("基层政权建设", ["基层政权"], "JCK", 1950...1998),
            topic("居民委员会建设", ["居民委员会"], "JCK", 1954...1998),
        ],
        partners: [
            .init(name: "江临市财政局", years: 1950...2024),
            .init(name: "江临市人民武装部", years: 1950...2024),
            .init(name: "江临市劳动局", years: 1950...2009),
            .init(name: "江临市人力资源和社会保障局", years: 2010...2024),
            .init(name: "江临市公安局", years: 1950...2024),
        ],
        room: 5,
        honours: ["全国双拥模范城", "全国民政系统先进集体", "全国婚姻登记机关标准化建设单位", "全省社会救助工作先进单位",
                  "全省殡葬改革先进单位"]
    )
}

// MARK: - 文种

private enum DemoGenre: Int, CaseIterable {
    case notice, request, report, reply, decision, opinion, letter, minutes, summary, plan

    static let weights: [Double] = [25, 10, 12, 12, 4, 6, 10, 6, 8, 7]

    var name: String {
        switch self {
        case .notice: "通知"
        case .request: "请示"
        case .report: "报告"
        case .reply: "批复"
        case .decision: "决定"
        case .opinion: "意见"
        case .letter: "函"
        case .minutes: "会议纪要"
        case .summary: "总结"
        case .plan: "计划"
        }
    }
}

// MARK: - Builder

/// A request for a 文号, filled in once the whole agency-year is known so that the numbers
/// increase with the dates.
private struct DemoDocRequest {
    let abbr: String
    let series: String
}

/// A stand-alone item, or a file with its items, before it is placed in the array.
private struct DemoUnit {
    var head: RecordDescription
    var headDoc: DemoDocRequest?
    var items: [(RecordDescription, DemoDocRequest?)] = []
    var sortKey: String
    var size: Int { 1 + items.count }
}

/// The fields a file shares with its items.
private struct DemoFrame {
    var category: String
    var year: Int
    var retention: Retention
    var organisation: String
    var classification: Classification
    var accessStatus: AccessStatus
    var location: String
}

private struct DemoPlan {
    var file: Bool
    var items: Int
    var size: Int { file ? items + 1 : 1 }
}

private struct DemoBuilder {
    var rng: DemoRandom
    var records: [DemoCatalogue.Record] = []
    /// Records owed to each category: expected so far minus produced.
    var debt = [Double](repeating: 0, count: DemoLexicon.categories.count)
    var plans: [DemoPlan]
    /// Per profile, per year offset: indices of the topics current that year.
    let topicsByYear: [[[Int]]]

    init(seed: UInt64) {
        rng = DemoRandom(seed: seed)
        plans = Array(repeating: DemoPlan(file: false, items: 0), count: DemoLexicon.categories.count)
        topicsByYear = DemoLexicon.profiles.map { p in
            (DemoLexicon.firstYear...DemoLexicon.lastYear).map { y in
                p.topics.indices.filter { p.topics[$0].covers(y) }
            }
        }
    }

    // MARK: Distribution

    static func yearWeight(_ y: Int) -> Double {
        switch y {
        case ...1957: 0.6
        case ...1965: 0.8
        case ...1976: 0.4
        case ...1989: 1.0
        case ...1999: 1.3
        case ...2019: 1.5
        default: 0.6  // most recent records are still with the agencies
        }
    }

    static func categoryWeights(_ y: Int) -> [Double] {
        [
            y >= 2013 ? 52 : 62,                     // WS 文书
            y >= 1953 ? 10 : 5,                      // KJ 科技
            10,                                      // KU 会计
            y < 1960 ? 4 : 6,                        // ZP 照片
            y >= 1958 ? 3 : 0,                       // LY 录音
            y >= 1985 ? 3.5 : 0,                     // LX 录像
            2,                                       // SW 实物
            y >= 2013 ? 16 : (y >= 2003 ? 6 : 0),    // DZ 电子
        ]
    }

    /// Whether the next unit of a category is a file, and how many items it holds. 文书 was
    /// arranged in files (案卷) before 2001, and registers of personal records still are; 科技
    /// and 会计 records are mostly files; some photographs come as a group.
    mutating func makePlan(_ c: Int, _ y: Int) -> DemoPlan {
        let (p, items): (Double, ClosedRange<Int>) = switch c {
        case 0: (y <= 2000 ? 0.07 : 0.025, 5...15)
        case 1: (0.6, 5...15)
        case 2: (0.65, 5...12)
        case 3: (0.2, 5...10)
        default: (0, 1...1)
        }
        return p > 0 && rng.chance(p) ? DemoPlan(file: true, items: rng.int(items)) : DemoPlan(file: false, items: 0)
    }

    mutating func build(target: Int) {
        guard target > 0 else { return }
        records.reserveCapacity(target + target / 10 + 16)
        let n = Double(target)
        for c in plans.indices { plans[c] = makePlan(c, DemoLexicon.firstYear) }
        for (pi, p) in DemoLexicon.profiles.enumerated() {
            let years = p.fonds.startYear...p.fonds.endYear
            var weightSum = 0.0
            for y in years { weightSum += Self.yearWeight(y) }
            for y in years {
                let cell = n * p.share * Self.yearWeight(y) / weightSum
                let weights = Self.categoryWeights(y)
                var catSum = 0.0
                for w in weights { catSum += w }
                var blockUnits: [[DemoUnit]] = Array(repeating: [], count: weights.count)
                for c in weights.indices where weights[c] > 0 {
                    debt[c] += cell * weights[c] / catSum
                    while debt[c] >= Double(plans[c].size) / 2 {
                        let unit = makeUnit(profile: pi, p, year: y, category: c, plan: plans[c])
                        debt[c] -= Double(unit.size)
                        blockUnits[c].append(unit)
                        plans[c] = makePlan(c, y)
                    }
                }
                emit(blockUnits, fonds: p.fonds.code)
            }
        }
        ensureCoverage()
    }

    /// Appends one agency-year to `records`, each category in date order, and numbers its
    /// documents in date order.
    mutating func emit(_ block: [[DemoUnit]], fonds: String) {
        var requests: [(index: Int, date: String, req: DemoDocRequest)] = []
        for var units in block {
            units.sort { $0.sortKey < $1.sortKey }
            for u in units {
                let headKey = records.count
                records.append(.init(key: headKey, parentKey: nil, fonds: fonds, description: u.head))
                if let r = u.headDoc { requests.append((headKey, u.head.date, r)) }
                for (d, r) in u.items {
                    let k = records.count
                    records.append(.init(key: k, parentKey: headKey, fonds: fonds, description: d))
                    if let r { requests.append((k, d.date, r)) }
                }
            }
        }
        guard !requests.isEmpty else { return }
        requests.sort { ($0.date, $0.index) < ($1.date, $1.index) }
        var counters: [String: Int] = [:]
        for (index, date, req) in requests {
            let key = req.abbr + "|" + req.series
            let n = (counters[key] ?? 0) + rng.int(1...9)
            counters[key] = n
            let year = Int(date.prefix(4)) ?? records[index].description.year
            if req.series == "字" {
                records[index].description.documentNumber = "（\(pad(year % 100, 2))）\(req.abbr)字第\(n)号"
            } else {
                records[index].description.documentNumber = "\(req.abbr)\(req.series)〔\(year)〕\(n)号"
            }
        }
    }

    /// Makes sure every classification, retention and access status appears, and that the
    /// classified records are not left to chance: at least about 0.25 % 绝密, 0.5 % 机密 and
    /// 1 % 秘密, taken from stand-alone documents, preferably on sensitive subjects.
    mutating func ensureCoverage() {
        guard records.count >= 20 else { return }
        func standalone(_ r: DemoCatalogue.Record) -> Bool {
            r.parentKey == nil && r.description.level == .item && (r.description.category == "WS" || r.description.category == "DZ")
        }
        let sensitive: Set<String> = ["战备", "人民防空", "保密", "民兵", "兵役", "机构编制", "测绘", "行政区域界线", "干部任免"]
        let mostSensitive: Set<String> = ["战备", "人民防空", "保密"]
        let n = records.count
        for (cls, minimum) in [(Classification.topSecret, max(1, n / 400)), (.secret, max(1, n / 200)), (.confidential, max(1, n / 100))] {
            var have = records.reduce(0) { $0 + ($1.description.classification == cls ? 1 : 0) }
            guard have < minimum else { continue }
            var preferred: [Int] = []
            var others: [Int] = []
            for r in records where standalone(r) && r.description.classification < cls {
                let d = r.description
                if d.subjects.contains(where: (cls == .topSecret ? mostSensitive : sensitive).contains) {
                    preferred.append(r.key)
                } else if d.classification == .none && (1955...2015).contains(d.year) && d.title.hasPrefix("关于") {
                    others.append(r.key)
                }
            }
            func take(_ list: inout [Int]) -> Int {
                let j = rng.int(0...(list.count - 1))
                list.swapAt(j, list.count - 1)
                return list.removeLast()
            }
            while have < minimum, !(preferred.isEmpty && others.isEmpty) {
                let i = preferred.isEmpty ? take(&others) : take(&preferred)
                var d = records[i].description
                d.classification = cls
                d.accessStatus = d.year <= 1999 ? .controlled : .unreviewed
                d.retention = retention(d.retention, for: cls)
                records[i].description = d
                have += 1
            }
        }
        for status in AccessStatus.allCases where !records.contains(where: { $0.description.accessStatus == status }) {
            if let i = records.firstIndex(where: { standalone($0) && $0.description.classification == .none }) {
                records[i].description.accessStatus = status
            }
        }
        for retention in Retention.allCases where !records.contains(where: { $0.description.retention == retention }) {
            if let i = records.firstIndex(where: { standalone($0) }) {
                records[i].description.retention = retention
            }
        }
    }

    // MARK: Shared pieces

    func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    func cn(_ n: Int) -> String {
        let d = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
        switch n {
        case 0..<10: return d[n]
        case 10..<20: return "十" + (n % 10 == 0 ? "" : d[n % 10])
        case 20..<100: return d[n / 10] + "十" + (n % 10 == 0 ? "" : d[n % 10])
        default: return String(n)
        }
    }

    /// The topic as a piece of work: 防汛抗旱 → 防汛抗旱工作, but 信访工作 stays as it is.
    func work(_ s: String) -> String { s.hasSuffix("工作") ? s : s + "工作" }

    /// A real date in the year (records of 2024 stop in October).
    mutating func date(_ y: Int, month: Int? = nil) -> String {
        let m = month ?? rng.int(1...(y == DemoLexicon.lastYear ? 10 : 12))
        let d = rng.int(1...CalendarDate.daysIn(month: m, year: y))
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    mutating func dates(_ y: Int, count: Int) -> [String] {
        var out = (0..<count).map { _ in date(y) }
        out.sort()
        return out
    }

    func lastDay(_ y: Int, _ m: Int) -> String {
        "\(pad(y, 4))-\(pad(m, 2))-\(pad(CalendarDate.daysIn(month: m, year: y), 2))"
    }

    mutating func place() -> String {
        let d = rng.pick(DemoLexicon.districts)
        return rng.chance(0.55) ? d : d + rng.pick(DemoLexicon.towns)
    }

    mutating func village() -> String {
        rng.pick(DemoLexicon.districts) + rng.pick(DemoLexicon.towns) + rng.pick(DemoLexicon.villages)
    }

    mutating func person(_ y: Int, male: Bool? = nil) -> String {
        let isMale = male ?? rng.chance(0.6)
        let oldStyle = y < 1980 ? rng.chance(0.85) : y < 2000 ? rng.chance(0.45) : rng.chance(0.1)
        let given: String
        if isMale {
            given = rng.pick(oldStyle ? DemoLexicon.maleOld : DemoLexicon.maleNew)
        } else {
            given = rng.pick(oldStyle ? DemoLexicon.femaleOld : DemoLexicon.femaleNew)
        }
        return rng.pick(DemoLexicon.surnames) + given
    }

    mutating func school(_ y: Int) -> String {
        switch rng.int(0...9) {
        case 0...3: return "江临市第\(cn(rng.int(1...15)))中学"
        case 4...5: return "江临市第\(cn(rng.int(1...20)))小学"
        case 6: return rng.pick(DemoLexicon.counties) + "第一中学"
        case 7: return rng.pick(DemoLexicon.districts) + rng.pick(DemoLexicon.towns) + "中学"
        case 8: return rng.pick(["江临师范学校", "江临市卫生学校", "江临市财贸学校", "江临市实验小学", "江临市实验中学"])
        default: return y >= 1985 ? rng.pick(["江临市职业技术学校", "江临市第二职业中学", "江临市外国语学校"]) : "江临市第一中学"
        }
    }

    mutating func topicFor(_ pi: Int, _ p: DemoProfile, _ y: Int) -> DemoTopic {
        p.topics[rng.pick(topicsByYear[pi][y - DemoLexicon.firstYear])]
    }

    /// The agency at the time, sometimes with a partner for a joint document.
    mutating func creator(_ p: DemoProfile, _ y: Int, joint: Double = 0.08) -> String {
        let name = p.era(y).name
        guard rng.chance(joint) else { return name }
        let partners = p.partners.filter { $0.years.contains(y) }
        guard !partners.isEmpty else { return name }
        return name + "、" + rng.pick(partners).name
    }

    mutating func organisation(_ preferred: String) -> String {
        rng.chance(0.12) ? "" : preferred
    }

    func paperLocation(room: Int, year y: Int, col: Int, layer: Int) -> String {
        let row = 1 + (y - DemoLexicon.firstYear) * 20 / 75
        return "\(room)号库房-\(row)排-\(col)列-\(layer)层"
    }

    mutating func location(_ p: DemoProfile, _ y: Int, carrier: String) -> String {
        let col = rng.int(1...12)
        let layer = rng.int(1...6)
        switch carrier {
        case "纸质": return paperLocation(room: p.agency == .government && y >= 1990 ? 2 : p.room, year: y, col: col, layer: layer)
        case "照片", "磁带", "光盘": return paperLocation(room: 6, year: y, col: col, layer: layer)
        case "实物": return paperLocation(room: 7, year: y, col: col, layer: layer)
        default: return ""
        }
    }

    mutating func paperPages() -> Int {
        if rng.chance(0.05) { return rng.int(60...120) }
        let u = rng.unit()
        return 1 + Int(u * u * 40)
    }

    mutating func notes(carrier: String, year y: Int) -> String {
        guard rng.chance(0.06) else { return "" }
        switch carrier {
        case "纸质": return rng.pick(DemoLexicon.paperNotes)
        case "照片": return rng.pick(["底片一并归档", "含文字说明卡片", "部分照片褪色"])
        case "磁带": return rng.pick(["已转录为数字格式", "音质一般", "原带有轻微霉变，已处理"])
        case "光盘": return rng.pick(["已迁移至数字档案馆", "含播放软件"])
        case "电子": return rng.pick(["版式文件（OFD）", "与纸质件双套归档", "含元数据包"])
        default: return ""
        }
    }

    /// Subjects: the topic's own terms, sometimes with the agency's field.
    mutating func subjects(_ base: [String], _ p: DemoProfile) -> [String] {
        var s = Array(base.prefix(2))
        if s.count < 3 && rng.chance(0.3) && !s.contains(p.domain) { s.append(p.domain) }
        if s.isEmpty { s = [p.domain] }
        return s
    }

    /// Classification and access status: classified records are never open; old records are
    /// mostly open, recent ones mostly not yet reviewed.
    mutating func security(_ y: Int, secrecy: Double, top: Bool = false, personal: Bool = false)
        -> (Classification, AccessStatus) {
        if secrecy > 0 && rng.chance(secrecy) {
            let r = rng.unit()
            let cls: Classification = top && r < 0.4 ? .topSecret : (r < (top ? 0.75 : 0.35) ? .secret : .confidential)
            let access: AccessStatus = y <= 1999 ? (rng.chance(0.85) ? .controlled : .unreviewed)
                : (rng.chance(0.7) ? .unreviewed : .controlled)
            return (cls, access)
        }
        let r = rng.unit()
        let access: AccessStatus
        if y <= 1999 {
            access = personal ? (r < 0.35 ? .open : r < 0.93 ? .controlled : .unreviewed)
                : (r < 0.8 ? .open : r < 0.95 ? .controlled : .unreviewed)
        } else if y <= 2014 {
            access = personal ? (r < 0.1 ? .open : r < 0.6 ? .controlled : .unreviewed)
                : (r < 0.42 ? .open : r < 0.58 ? .controlled : .unreviewed)
        } else {
            access = personal ? (r < 0.15 ? .controlled : .unreviewed)
                : (r < 0.08 ? .open : r < 0.15 ? .controlled : .unreviewed)
        }
        return (.none, access)
    }

    /// Classified records are kept at least 30 years; 绝密 ones permanently.
    func retention(_ r: Retention, for cls: Classification) -> Retention {
        switch cls {
        case .none: return r
        case .topSecret: return .permanent
        default: return r == .tenYears ? .thirtyYears : r
        }
    }

    func describe(_ f: DemoFrame, level: DescriptionLevel = .item, title: String, creator: String, date: String,
                  pages: Int, carrier: String, subjects: [String], notes: String = "") -> RecordDescription {
        RecordDescription(level: level, category: f.category, title: title, creator: creator, documentNumber: "",
                          date: date, year: f.year, retention: f.retention, organisation: f.organisation, pages: pages,
                          classification: f.classification, accessStatus: f.accessStatus, carrier: carrier,
                          subjects: subjects, notes: notes, location: f.location)
    }

    /// A file (案卷) over `items`, which are already in date order.
    func fileUnit(_ f: DemoFrame, title: String, creator: String, carrier: String, subjects: [String],
                  items: [(RecordDescription, DemoDocRequest?)]) -> DemoUnit {
        var pages = 0
        for (d, _) in items { pages += d.pages }
        let head = describe(f, level: .file, title: title, creator: creator, date: "", pages: pages, carrier: carrier,
                            subjects: subjects)
        return DemoUnit(head: head, headDoc: nil, items: items, sortKey: items.first?.0.date ?? "")
    }

    // MARK: Units

    mutating func makeUnit(profile pi: Int, _ p: DemoProfile, year y: Int, category c: Int, plan: DemoPlan) -> DemoUnit {
        switch DemoLexicon.categories[c] {
        case "WS":
            if plan.file {
                return y <= 2000 && rng.chance(0.55) ? topicalFile(pi, p, y, items: plan.items)
                    : minshengFile(p, y, items: plan.items)
            }
            return rng.chance(0.1) ? minshengItem(p, y) : document(pi, p, y, category: "WS")
        case "KJ": return technical(p, y, items: plan.file ? plan.items : 0)
        case "KU": return plan.file ? accountingFile(p, y, items: plan.items) : accountingItem(p, y)
        case "ZP": return photographs(pi, p, y, items: plan.file ? plan.items : 0)
        case "LY": return recording(pi, p, y)
        case "LX": return video(pi, p, y)
        case "SW": return object(p, y)
        default: return document(pi, p, y, category: "DZ")
        }
    }

    // MARK: 文书 / 电子

    mutating func genre() -> DemoGenre { DemoGenre(rawValue: rng.weighted(DemoGenre.weights)) ?? .notice }

    mutating func retention(for g: DemoGenre) -> Retention {
        let r = rng.unit()
        switch g {
        case .decision, .reply, .minutes, .opinion: return r < 0.7 ? .permanent : .thirtyYears
        case .request, .report: return r < 0.5 ? .permanent : r < 0.85 ? .thirtyYears : .tenYears
        case .notice, .letter: return r < 0.25 ? .permanent : r < 0.7 ? .thirtyYears : .tenYears
        case .summary, .plan: return r < 0.45 ? .permanent : r < 0.8 ? .thirtyYears : .tenYears
        }
    }

    /// The title of an official document on `t` (公文标题: 关于……的通知).
    /// With `specific`, always a title about the topic (for the items of a topical file);
    /// otherwise a summary or plan may be the agency's general one (…年工作总结, …年工作要点).
    mutating func documentTitle(_ p: DemoProfile, _ y: Int, _ t: DemoTopic, _ g: DemoGenre,
                                specific: Bool = false) -> String {
        let s = t.text
        let era = p.era(y)
        switch g {
        case .notice:
            switch rng.int(0...6) {
            case 0: return "关于\(s)的通知"
            case 1: return "关于做好\(y)年\(work(s))的通知"
            case 2:
                let kind = rng.pick(["管理办法", "实施办法", "工作方案", "实施细则", "暂行规定"])
                return "关于印发《江临市\(kind == "工作方案" ? work(s) + "方案" : s + kind)》的通知"
            case 3: return "关于召开\(y)年全市\(work(s))会议的通知"
            case 4: return "关于转发\(era.province)《关于\(s)的通知》的通知"
            case 5: return "关于调整江临市\(work(s))领导小组成员的通知"
            default: return "关于\(place())\(s)有关事项的通知"
            }
        case .request:
            switch rng.int(0...2) {
            case 0: return "关于\(s)有关问题的请示"
            case 1: return "关于\(place())\(s)有关问题的请示"
            default: return "关于申请\(y)年\(s)专项经费的请示"
            }
        case .report:
            switch rng.int(0...2) {
            case 0: return "关于\(y)年\(work(s))情况的报告"
            case 1: return "关于\(place())\(s)情况的调查报告"
            default: return "关于\(work(s))的报告"
            }
        case .reply:
            return rng.chance(0.5) ? "关于\(place())\(s)有关问题的批复" : "关于\(place())《关于\(s)的请示》的批复"
        case .decision:
            switch rng.int(0...2) {
            case 0: return "关于表彰\(y)年度\(work(s))先进集体和先进个人的决定"
            case 1: return "关于\(s)的决定"
            default: return "关于在全市开展\(s)专项检查的决定"
            }
        case .opinion:
            switch rng.int(0...2) {
            case 0: return "关于加强\(work(s))的意见"
            case 1: return "关于进一步做好\(work(s))的实施意见"
            default: return "关于\(place())\(work(s))的指导意见"
            }
        case .letter:
            switch rng.int(0...2) {
            case 0: return "关于商请协助做好\(work(s))的函"
            case 1: return "关于\(place())\(s)有关事项的复函"
            default: return "关于\(s)有关事项的函"
            }
        case .minutes:
            switch rng.int(0...2) {
            case 0: return "\(y)年全市\(work(s))会议纪要"
            case 1: return "关于研究\(s)有关问题的专题会议纪要"
            default: return "\(place())\(s)现场办公会议纪要"
            }
        case .summary:
            switch specific ? 0 : rng.int(0...2) {
            case 0: return "\(y)年\(work(s))总结"
            case 1: return "\(era.name)\(y)年工作总结"
            default: return "\(era.name)\(y)年上半年工作总结"
            }
        case .plan:
            switch specific ? 0 : rng.int(0...2) {
            case 0: return "\(y)年\(work(s))计划"
            case 1: return "\(era.name)\(y)年工作要点"
            default:
                // 五年计划: 一五 1953–1957, 二五 1958–1962, 三五 from 1966 after the adjustment years.
                guard y >= 1953 && !(1963...1965).contains(y) else { return "\(y)年\(work(s))计划" }
                let n = y <= 1962 ? (y - 1953) / 5 + 1 : (y - 1966) / 5 + 3
                return "江临市\(s)“\(cn(n))五”\(y >= 2006 ? "规划" : "计划")"
            }
        }
    }

    mutating func docRequest(_ p: DemoProfile, _ y: Int, _ g: DemoGenre) -> DemoDocRequest? {
        let abbr = p.era(y).abbr
        if (g == .summary || g == .plan) && rng.chance(0.5) { return nil }
        if y < 1980 { return DemoDocRequest(abbr: abbr, series: "字") }
        switch g {
        case .letter: return DemoDocRequest(abbr: abbr, series: "函")
        case .minutes: return DemoDocRequest(abbr: abbr, series: "纪要")
        default: return DemoDocRequest(abbr: abbr, series: "发")
        }
    }

    /// A stand-alone official document, on paper (WS) or born digital (DZ).
    mutating func document(_ pi: Int, _ p: DemoProfile, _ y: Int, category: String) -> DemoUnit {
        if category == "DZ" && rng.chance(0.08) { return webArchive(p, y) }
        let t = topicFor(pi, p, y)
        let g = genre()
        let title = documentTitle(p, y, t, g)
        // The agency's general summary or work plan is not about the topic.
        let general = title.hasPrefix(p.era(y).name)
        let (cls, access) = general ? security(y, secrecy: 0.006) : security(y, secrecy: t.secrecy, top: t.topSecret)
        let subj = general ? [p.domain, g == .summary ? "工作总结" : "工作计划"] : subjects(t.subjects, p)
        let carrier = category == "DZ" ? "电子" : "纸质"
        let f = DemoFrame(category: category, year: y,
                          retention: retention(title.contains("印发") ? .permanent : retention(for: g), for: cls),
                          organisation: organisation(general ? "BGS" : t.org), classification: cls, accessStatus: access,
                          location: location(p, y, carrier: carrier))
        let d = date(y)
        let pages = category == "DZ" ? rng.int(1...30) : paperPages()
        let desc = describe(f, title: title, creator: general ? p.era(y).name : creator(p, y), date: d, pages: pages, carrier: carrier,
                            subjects: subj, notes: notes(carrier: carrier, year: y))
        return DemoUnit(head: desc, headDoc: docRequest(p, y, g), sortKey: d)
    }

    mutating func webArchive(_ p: DemoProfile, _ y: Int) -> DemoUnit {
        let (cls, access) = security(y, secrecy: 0)
        let f = DemoFrame(category: "DZ", year: y, retention: .tenYears, organisation: organisation("BGS"),
                          classification: cls, accessStatus: access, location: "")
        let q = rng.int(1...4)
        let d = lastDay(y, min(q * 3, y == DemoLexicon.lastYear ? 10 : 12))
        let desc = describe(f, title: "\(p.era(y).name)门户网站\(y)年第\(cn(q))季度网页归档", creator: p.era(y).name,
                            date: d, pages: 0, carrier: "电子", subjects: ["网页归档", "政务公开"])
        return DemoUnit(head: desc, headDoc: nil, sortKey: d)
    }

    /// A 案卷 of documents on one topic (arrangement by file, before 2001).
    mutating func topicalFile(_ pi: Int, _ p: DemoProfile, _ y: Int, items k: Int) -> DemoUnit {
        let t = topicFor(pi, p, y)
        let (cls, access) = security(y, secrecy: t.secrecy, top: t.topSecret)
        let f = DemoFrame(category: "WS", year: y, retention: retention(rng.chance(0.65) ? .permanent : .thirtyYears, for: cls),
                          organisation: organisation(t.org), classification: cls, accessStatus: access,
                          location: location(p, y, carrier: "纸质"))
        var genres: [String] = []
        var items: [(RecordDescription, DemoDocRequest?)] = []
        let subj = subjects(t.subjects, p)
        for d in dates(y, count: k) {
            let g = genre()
            if !genres.contains(g.name) { genres.append(g.name) }
            let desc = describe(f, title: documentTitle(p, y, t, g, specific: true), creator: creator(p, y), date: d,
                                pages: rng.int(1...8), carrier: "纸质", subjects: subj)
            items.append((desc, docRequest(p, y, g)))
        }
        let kinds = genres.prefix(3).joined(separator: "、") + (genres.count > 3 ? "等" : "")
        return fileUnit(f, title: "\(p.era(y).name)\(y)年关于\(work(t.text))的\(kinds)文件材料", creator: p.era(y).name,
                        carrier: "纸质", subjects: subj, items: items)
    }

    // MARK: 民生

    /// A register of personal records (婚姻登记, 学籍, 宅基地, 招工, 兵役 …) as a file.
    mutating func minshengFile(_ p: DemoProfile, _ y: Int, items k: Int) -> DemoUnit {
        let district = rng.pick(DemoLexicon.districts)
        var title: String
        var org: String
        var subj: [String]
        var retention = Retention.permanent
        var itemTitle: (inout DemoBuilder, Int) -> String
        switch p.agency {
        case .civil:
            if y <= 2018 && rng.chance(0.3) {
                title = "\(y)年\(district)退伍军人安置档案"
                org = "AZK"
                subj = ["退伍军人", "安置"]
                itemTitle = { b, _ in "\(b.person(y, male: true))退伍军人安置审批表" }
            } else {
                title = "\(y)年\(district)婚姻登记档案（第\(rng.int(1...12))册）"
                org = "HYK"
                subj = ["婚姻登记"]
                itemTitle = { b, _ in
                    let divorce = y >= 1981 && b.rng.chance(0.12)
                    return "\(b.person(y, male: true))与\(b.person(y, male: false))\(divorce ? "离婚" : "结婚")登记材料"
                }
            }
        case .education:
            if rng.chance(0.6) {
                let s = school(y)
                title = "\(s)\(y)级学生学籍档案"
                org = "XSK"
                subj = ["学籍"]
                itemTitle = { _, i in "\(s)\(y)级（\(i)）班学生学籍表" }
            } else {
                let admitted = y >= 1977 || (1952...1965).contains(y)
                title = admitted ? "\(y)年江临市普通高校招生录取档案" : "\(y)年江临市中等学校招生录取档案"
                org = "ZSK"
                subj = ["招生", "学籍"]
                retention = .thirtyYears
                itemTitle = { b, i in "\(y)年\(b.rng.pick(DemoLexicon.districts))录取新生名册（第\(i)册）" }
            }
        case .land:
            if y >= 1982 && rng.chance(0.6) {
                let town = rng.pick(DemoLexicon.towns)
                title = "\(y)年\(district)\(town)宅基地审批档案"
                org = "DJK"
                subj = ["宅基地"]
                itemTitle = { b, _ in "\(b.person(y, male: true))宅基地用地申请审批表" }
            } else if y >= 1988 {
                title = "\(y)年国有土地使用权登记档案（第\(rng.int(1...20))册）"
                org = "DJK"
                subj = ["土地登记", "土地使用证"]
                var number = rng.int(1...400)
                itemTitle = { b, _ in
                    number += b.rng.int(1...25)
                    let holder = b.rng.chance(0.5) ? b.person(y) : b.rng.pick(DemoLexicon.factories)
                    return "\(holder)国有土地使用证存根（江国用〔\(y)〕第\(b.pad(number, 4))号）"
                }
            } else if y <= 1966 {
                title = "\(y)年城市私有房产登记档案（\(district)）"
                org = "DJK"
                subj = ["房产登记"]
                itemTitle = { b, _ in "\(b.person(y))私有房产登记申请书" }
            } else {
                title = "\(y)年城市建设用地审批材料"
                org = "ZDK"
                subj = ["建设用地"]
                itemTitle = { b, _ in "\(b.rng.pick(DemoLexicon.factories))建设用地审批表" }
            }
        case .government:
            if (1956...1995).contains(y) && rng.chance(0.55) {
                title = "\(y)年江临市全民所有制企业招工审批材料（第\(rng.int(1...6))册）"
                org = "RSK"
                subj = ["招工", "劳动就业"]
                itemTitle = { b, _ in
                    "\(b.rng.pick(DemoLexicon.factories))招工录用职工花名册（\(b.person(y))等\(b.rng.int(3...60))人）"
                }
            } else if rng.chance(0.5) {
                title = "\(y)年江临市应征入伍青年档案（\(district)）"
                org = "ZHK"
                subj = ["兵役", "征兵"]
                itemTitle = { b, _ in "\(b.person(y, male: true))应征公民入伍审批表" }
            } else if (1996...2006).contains(y) {
                title = "\(y)年江临市下岗职工再就业登记材料"
                org = "RSK"
                subj = ["再就业"]
                retention = .thirtyYears
                itemTitle = { b, _ in "\(b.rng.pick(DemoLexicon.factories))下岗职工名册（\(b.person(y))等\(b.rng.int(5...120))人）" }
            } else {
                title = "\(y)年江临市企业职工退休审批材料"
                org = "RSK"
                subj = ["退休", "职工"]
                itemTitle = { b, _ in "\(b.person(y))职工退休审批表" }
            }
        }
        let (cls, access) = security(y, secrecy: 0, personal: true)
        let f = DemoFrame(category: "WS", year: y, retention: retention, organisation: organisation(org),
                          classification: cls, accessStatus: access, location: location(p, y, carrier: "纸质"))
        var items: [(RecordDescription, DemoDocRequest?)] = []
        for (i, d) in dates(y, count: k).enumerated() {
            let t = itemTitle(&self, i + 1)
            items.append((describe(f, title: t, creator: p.era(y).name, date: d, pages: rng.int(1...6),
                                   carrier: "纸质", subjects: subj), nil))
        }
        return fileUnit(f, title: title, creator: p.era(y).name, carrier: "纸质", subjects: subj, items: items)
    }

    /// A stand-alone personal register or form.
    mutating func minshengItem(_ p: DemoProfile, _ y: Int) -> DemoUnit {
        let district = rng.pick(DemoLexicon.districts)
        var options: [(String, String, [String], Retention)] = []
        switch p.agency {
        case .civil:
            if y <= 2018 {
                options.append(("\(y)年度\(district)退伍军人安置花名册", "AZK", ["退伍军人", "安置"], .permanent))
                options.append(("\(y)年度优抚对象定期抚恤补助花名册", "YFK", ["优抚"], .permanent))
                options.append(("\(person(y, male: true))伤残军人抚恤审批表", "YFK", ["优抚", "伤残军人"], .permanent))
            }
            if y <= 1990 { options.append(("\(person(y, male: true))烈士审批材料", "YFK", ["烈士"], .permanent)) }
            if y >= 1997 { options.append(("\(y)年度\(district)城市居民最低生活保障对象花名册", "JZK", ["低保"], .thirtyYears)) }
            if y >= 1956 { options.append(("\(y)年度\(district)农村五保供养对象花名册", "JZK", ["五保"], .thirtyYears)) }
            options.append(("\(y)年\(district)婚姻登记情况统计表", "HYK", ["婚姻登记", "统计"], .permanent))
        case .education:
            options.append(("\(school(y))\(y)届毕业生名册", "XSK", ["毕业生", "学籍"], .permanent))
            options.append(("\(school(y))\(y)届毕业生名册", "XSK", ["毕业生", "学籍"], .permanent))
            if (1990...2015).contains(y) { options.append(("\(y)年江临市高中毕业会考成绩册", "ZSK", ["会考", "成绩"], .permanent)) }
            if (1978...2000).contains(y) { options.append(("\(y)年民办教师转正审批名册", "RSK", ["民办教师"], .permanent)) }
            if y >= 1986 { options.append(("\(y)年度江临市中小学教师职称评审结果名册", "RSK", ["职称", "教师"], .permanent)) }
            if y >= 1996 { options.append(("\(person(y))教师资格认定材料", "RSK", ["教师资格"], .thirtyYears)) }
            options.append(("\(y)年中等专业学校录取新生名册", "ZSK", ["招生"], .permanent))
        case .land:
            if y >= 1982 { options.append(("\(person(y, male: true))宅基地使用证存根（\(village())）", "DJK", ["宅基地", "土地使用证"], .permanent)) }
            if (1990...2000).contains(y) { options.append(("\(village())集体土地所有证存根", "DJK", ["土地所有权", "土地登记"], .permanent)) }
            if y >= 1958 { options.append(("\(y)年征地补偿安置花名册（\(place())）", "ZDK", ["征地补偿", "安置"], .permanent)) }
            if y <= 1966 { options.append(("\(person(y))私有房产登记表（\(district)）", "DJK", ["房产登记"], .permanent)) }
            if y >= 1988 { options.append(("\(rng.pick(DemoLexicon.factories))国有土地使用权出让合同", "ZDK", ["土地出让"], .permanent)) }
            if options.isEmpty { options.append(("\(y)年城市房地产清查登记表（\(district)）", "DJK", ["房产登记"], .permanent)) }
        case .government:
            if (1970...1980).contains(y) { options.append(("\(y)年江临市知识青年招工花名册", "RSK", ["知识青年", "招工"], .permanent)) }
            options.append(("\(y)年江临市应征入伍青年名册（\(district)）", "ZHK", ["兵役", "征兵"], .permanent))
            options.append(("\(y)年江临市职工调配审批表（\(rng.pick(DemoLexicon.factories))）", "RSK", ["职工调配"], .thirtyYears))
            if y >= 1978 { options.append(("\(y)年江临市退休职工审批名册", "RSK", ["退休"], .permanent)) }
            if (1956...1995).contains(y) { options.append(("\(y)年\(rng.pick(DemoLexicon.factories))招工录用审批表", "RSK", ["招工"], .permanent)) }
        }
        let (title, org, subj, retention) = rng.pick(options)
        let (cls, access) = security(y, secrecy: 0, personal: true)
        let f = DemoFrame(category: "WS", year: y, retention: retention, organisation: organisation(org),
                          classification: cls, accessStatus: access, location: location(p, y, carrier: "纸质"))
        let d = date(y)
        let desc = describe(f, title: title, creator: p.era(y).name, date: d, pages: paperPages(), carrier: "纸质",
                            subjects: subj, notes: notes(carrier: "纸质", year: y))
        return DemoUnit(head: desc, headDoc: nil, sortKey: d)
    }

    // MARK: 科技

    static let buildingParts: [(String, Int)] = [
        ("立项批复", 1950), ("可行性研究报告", 1980), ("建设用地审批材料", 1950), ("建设工程规划许可证", 1984),
        ("初步设计文件", 1950), ("施工图（建筑）", 1950), ("施工图（结构）", 1950), ("施工图（给排水、电气）", 1950),
        ("招标投标文件", 1985), ("施工合同", 1980), ("图纸会审记录", 1950), ("隐蔽工程验收记录", 1950),
        ("竣工验收报告", 1950), ("竣工图", 1950), ("工程决算书", 1950),
    ]

    func partCreator(_ part: String, _ p: DemoProfile, _ y: Int, builder: String) -> String {
        switch part {
        case "立项批复": return y >= 2003 ? "江临市发展和改革委员会" : y >= 1953 ? "江临市计划委员会" : "江临市人民政府"
        case "可行性研究报告", "初步设计文件", "竣工图": return y >= 1956 ? "江临市建筑设计院" : p.era(y).name
        case "建设用地审批材料": return DemoLexicon.land.era(max(y, 1953)).name
        case "建设工程规划许可证": return y >= 2019 ? "江临市自然资源和规划局" : "江临市城市规划局"
        case "招标投标文件", "施工合同": return p.era(y).name + "、" + builder
        case "图纸会审记录", "隐蔽工程验收记录": return builder
        default:
            if part.hasPrefix("施工图") { return y >= 1956 ? "江临市建筑设计院" : p.era(y).name }
            return p.era(y).name
        }
    }

    mutating func project(_ p: DemoProfile, _ y: Int) -> String {
        switch p.agency {
        case .government:
            var names = ["江临市人民政府办公楼改扩建工程", "江临市人民广场改造工程",
                         "江临市\(rng.pick(DemoLexicon.districts))防洪堤加固工程",
                         "江临市第\(cn(rng.int(1...6)))水厂扩建工程", "江临市\(rng.pick(DemoLexicon.roads))拓宽改造工程"]
            if y >= 1958 { names.append("江临市人民会堂新建工程") }
            if y >= 2005 { names.append("江临市政务服务中心大楼新建工程") }
            return rng.pick(names)
        case .education:
            let kind = rng.pick(["教学楼新建工程", "综合楼工程", "学生宿舍楼工程", "运动场改造工程", "图书馆新建工程",
                                 "校舍维修加固工程", "食堂新建工程"])
            return school(y) + kind
        case .civil:
            return rng.pick(["江临市社会福利院新建工程", "江临市烈士陵园改扩建工程", "江临市殡仪馆新建工程",
                             "\(rng.pick(DemoLexicon.districts))\(rng.pick(DemoLexicon.towns))敬老院新建工程",
                             "江临市救灾物资储备库工程", "江临市儿童福利院综合楼工程", "江临市军供站改造工程"])
        case .land:
            return ""
        }
    }

    /// 科技档案: a construction project of the agency, or for the land bureau a survey or a plan.
    mutating func technical(_ p: DemoProfile, _ y: Int, items k: Int) -> DemoUnit {
        var title: String
        var parts: [(String, String)]  // (item title, creator)
        var org = "JJK"
        var subj = ["基本建设", "工程档案"]
        var secrecy = 0.0
        if p.agency == .land {
            let kind = y < 1987 ? 0 : rng.int(0...2)
            secrecy = 0.25
            switch kind {
            case 0:
                title = "江临市\(rng.pick(DemoLexicon.urbanDistricts))1:\(y < 1987 ? "1000" : "2000")地形图测绘（\(y)年）"
                org = "CHK"
                subj = ["测绘", "地形图"]
                let names = ["技术设计书", "控制测量成果", "地形图（第一分幅）", "地形图（第二分幅）", "地形图（第三分幅）",
                             "地形图（第四分幅）", "图幅接合表", "外业调绘记录", "检查验收报告", "技术总结报告"]
                parts = names.map { ($0, y >= 1958 ? "江临市测绘院" : p.era(y).name) }
            case 1:
                title = "\(rng.pick(DemoLexicon.districts))\(y)年地籍调查成果"
                org = "CHK"
                subj = ["地籍调查"]
                var names = ["技术设计书", "权属调查材料", "地籍调查表", "宗地图", "地籍图", "界址点坐标成果表",
                             "土地分类面积汇总表", "检查验收报告", "技术总结报告"]
                if y >= 2000 { names.append("地籍数据库成果") }
                parts = names.map { ($0, p.era(y).name) }
            default:
                if rng.chance(0.5) {
                    title = "江临市土地利用总体规划（\(y)—\(y + 15)年）"
                    org = "GHK"
                    subj = ["土地规划"]
                    secrecy = 0.05
                    let names = ["规划文本", "规划说明", "专题研究报告", "土地利用现状图", "土地利用总体规划图",
                                 "基本农田保护规划图", "专家评审意见", "公众参与材料", "上级批复文件"]
                    parts = names.map { ($0, $0 == "上级批复文件" ? "江东省人民政府" : p.era(y).name) }
                } else {
                    title = "\(rng.pick(DemoLexicon.counties))\(rng.pick(DemoLexicon.towns))土地整理项目（\(y)年）"
                    org = "GBK"
                    subj = ["土地整理", "耕地保护"]
                    secrecy = 0.02
                    let names = ["立项申请", "可行性研究报告", "规划设计", "预算书", "施工图", "施工合同", "施工监理报告",
                                 "竣工验收报告", "新增耕地核定表", "权属调整方案"]
                    parts = names.map { ($0, p.era(y).name) }
                }
            }
        } else {
            title = project(p, y)
            let builder = "江临市第\(cn(rng.int(1...5)))建筑工程公司"
            parts = Self.buildingParts.filter { $0.1 <= y }.map { ($0.0, partCreator($0.0, p, y, builder: builder)) }
        }
        let (cls, access) = security(y, secrecy: secrecy)
        let carrier = "纸质"
        if k == 0 {
            // A stand-alone item: one part of a project.
            let (part, who) = rng.pick(parts)
            let f = DemoFrame(category: "KJ", year: y, retention: retention(rng.chance(0.7) ? .permanent : .thirtyYears, for: cls),
                              organisation: organisation(org), classification: cls, accessStatus: access,
                              location: location(p, y, carrier: carrier))
            let d = date(y)
            let partCarrier = part.contains("数据库") ? "光盘" : carrier
            let desc = describe(f, title: title + part, creator: who, date: d, pages: rng.int(1...120),
                                carrier: partCarrier, subjects: subj, notes: notes(carrier: partCarrier, year: y))
            return DemoUnit(head: desc, headDoc: nil, sortKey: d)
        }
        let f = DemoFrame(category: "KJ", year: y, retention: retention(rng.chance(0.8) ? .permanent : .thirtyYears, for: cls),
                          organisation: organisation(org), classification: cls, accessStatus: access,
                          location: location(p, y, carrier: carrier))
        let chosen = rng.ordered(min(k, parts.count), of: parts.count)
        let ds = dates(y, count: chosen.count)
        var items: [(RecordDescription, DemoDocRequest?)] = []
        for (j, i) in chosen.enumerated() {
            let (part, who) = parts[i]
            let partCarrier = part.contains("数据库") ? "光盘" : carrier
            items.append((describe(f, title: title + part, creator: who, date: ds[j], pages: rng.int(1...8),
                                   carrier: partCarrier, subjects: subj), nil))
        }
        return fileUnit(f, title: title, creator: p.era(y).name, carrier: carrier, subjects: subj, items: items)
    }

    // MARK: 会计

    mutating func accountingFile(_ p: DemoProfile, _ y: Int, items k: Int) -> DemoUnit {
        let name = p.era(y).name
        let (cls, access) = security(y, secrecy: 0)
        let f = DemoFrame(category: "KU", year: y, retention: .thirtyYears, organisation: organisation("CWK"),
                          classification: cls, accessStatus: access, location: location(p, y, carrier: "纸质"))
        var items: [(RecordDescription, DemoDocRequest?)] = []
        let title: String
        if rng.chance(0.75) {
            let lastMonth = y == DemoLexicon.lastYear ? 10 : 12
            let months = min(k, lastMonth)
            let first = rng.int(1...(lastMonth + 1 - months))
            let last = first + months - 1
            title = "\(name)\(y)年度会计凭证（\(first)—\(last)月）"
            var number = 0
            for m in first...last {
                let from = number + 1
                number += rng.int(20...90)
                items.append((describe(f, title: "\(y)年\(m)月记账凭证（第\(from)—\(number)号）", creator: name,
                                       date: lastDay(y, m),
                                       pages: rng.int(1...8), carrier: "纸质", subjects: ["会计凭证"]), nil))
            }
        } else {
            title = "\(name)\(y)年度会计账簿"
            let books = ["总分类账", "现金日记账", "银行存款日记账", "经费支出明细账", "固定资产明细账", "往来款项明细账",
                         "工资明细账", "专项资金明细账", "库存物资明细账"]
            let chosen = rng.ordered(min(k, books.count), of: books.count)
            for i in chosen {
                items.append((describe(f, title: "\(y)年度\(books[i])", creator: name, date: lastDay(y, y == DemoLexicon.lastYear ? 10 : 12),
                                       pages: rng.int(2...8), carrier: "纸质", subjects: ["会计账簿"]), nil))
            }
        }
        return fileUnit(f, title: title, creator: name, carrier: "纸质", subjects: ["会计档案"], items: items)
    }

    mutating func accountingItem(_ p: DemoProfile, _ y: Int) -> DemoUnit {
        let name = p.era(y).name
        let options: [(String, Retention, [String], Bool)] = [
            ("\(name)\(y)年度财务决算报告", .permanent, ["财务决算"], false),
            ("\(name)\(y)年度\(y >= 2000 ? "部门预算" : "经费预算")", .permanent, ["预算"], false),
            ("\(name)\(y)年度职工工资发放表", .permanent, ["工资"], true),
            ("\(name)\(y)年银行存款余额调节表", .tenYears, ["银行对账"], false),
            ("\(name)\(y)年度固定资产清查报告", .thirtyYears, ["固定资产"], false),
            ("\(name)\(y)年度会计档案移交清册", .permanent, ["会计档案"], false),
        ]
        let (title, retention, subj, personal) = rng.pick(options)
        let (cls, access) = security(y, secrecy: 0, personal: personal)
        let f = DemoFrame(category: "KU", year: y, retention: retention, organisation: organisation("CWK"),
                          classification: cls, accessStatus: access, location: location(p, y, carrier: "纸质"))
        let d = date(y)
        let desc = describe(f, title: title, creator: name, date: d, pages: rng.int(2...80), carrier: "纸质",
                            subjects: subj, notes: notes(carrier: "纸质", year: y))
        return DemoUnit(head: desc, headDoc: nil, sortKey: d)
    }

    // MARK: 照片, 录音, 录像

    /// An event the agency photographed or filmed, with its subjects.
    mutating func event(_ pi: Int, _ p: DemoProfile, _ y: Int) -> (String, [String]) {
        var options: [(String, [String])] = []
        let pl = place()
        switch p.agency {
        case .government:
            options.append(("\(y)年江临市抗洪抢险", ["防汛"]))
            if y >= 1954 {
                options.append(("江临市第\(cn(max(1, (y - 1950) / 4)))届人民代表大会第\(cn(rng.int(1...5)))次会议开幕式", ["人民代表大会"]))
            }
            if y >= 1979 { options.append(("江临市\(y)年植树节义务植树活动", ["植树造林"])) }
            if (2006...2015).contains(y) { options.append(("\(pl)新农村建设成果", ["新农村建设"])) }
            if y % 10 == 9 { options.append(("江临市庆祝中华人民共和国成立\(cn(y - 1949))周年大会", ["国庆"])) }
            options.append(("江临市\(y)年春节团拜会", ["团拜会"]))
        case .education:
            options.append(("\(school(y))新校舍落成典礼", ["校舍"]))
            if y >= 1956 { options.append(("江临市第\(cn(max(1, (y - 1954) / 2)))届中小学生运动会", ["学校体育"])) }
            if y >= 1977 { options.append(("\(y)年高考考点巡查", ["高考"])) }
            if y >= 1985 { options.append(("江临市\(y)年教师节表彰大会", ["教师", "表彰"])) }
            if y <= 1965 { options.append(("\(y)年\(pl)扫盲毕业典礼", ["扫盲"])) }
            options.append(("江临市\(y)年中小学生文艺汇演", ["学校文艺"]))
        case .land:
            options.append(("\(pl)土地征收现场勘查", ["征地"]))
            if y >= 1987 { options.append(("\(y)年\(pl)违法占地执法现场", ["土地执法"])) }
            if y >= 1998 { options.append(("\(pl)土地整理项目实施前后对比", ["土地整理"])) }
            if y >= 2001 { options.append(("\(y)年\(pl)地质灾害隐患点现场", ["地质灾害"])) }
            if y >= 1982 { options.append(("\(y)年\(pl)宅基地权属调查现场", ["宅基地"])) }
            if y >= 1991 { options.append(("江临市\(y)年“6·25”全国土地日宣传活动", ["土地日", "宣传"])) }
            options.append(("\(y)年\(pl)房屋土地清查现场", ["房产登记"]))
        case .civil:
            options.append(("\(y)年\(pl)救灾现场", ["救灾"]))
            options.append(("\(y)年八一建军节慰问驻军部队和优抚对象", ["双拥", "优抚"]))
            if y >= 1985 { options.append(("江临市\(y)年集体婚礼", ["婚姻登记"])) }
            options.append(("江临市烈士陵园\(y)年清明祭扫活动", ["烈士"]))
            if y >= 1958 { options.append(("\(pl)敬老院落成典礼", ["五保", "社会福利"])) }
            if y <= 2018 { options.append(("江临市\(y)年退伍军人欢迎大会", ["退伍军人"])) }
            if y >= 1988 { options.append(("\(y)年\(pl)村民委员会换届选举", ["村民自治"])) }
        }
        if rng.chance(0.2) {
            let t = topicFor(pi, p, y)
            return ("市领导视察\(pl)\(work(t.text))", Array(t.subjects.prefix(2)))
        }
        return rng.pick(options)
    }

    mutating func photographs(_ pi: Int, _ p: DemoProfile, _ y: Int, items k: Int) -> DemoUnit {
        let (ev, subj) = event(pi, p, y)
        let carrier = y >= 2008 ? "电子" : "照片"
        let (cls, access) = security(y, secrecy: 0)
        let f = DemoFrame(category: "ZP", year: y, retention: rng.chance(0.6) ? .permanent : .thirtyYears,
                          organisation: organisation("BGS"),
                          classification: cls, accessStatus: access, location: location(p, y, carrier: carrier))
        let creator = p.era(y).name
        if k == 0 {
            let d = date(y)
            let suffix = ev.hasSuffix("现场") || rng.chance(0.5) ? "照片" : "现场照片"
            let desc = describe(f, title: ev + suffix, creator: creator, date: d, pages: 0, carrier: carrier,
                                subjects: subj, notes: notes(carrier: carrier, year: y))
            return DemoUnit(head: desc, headDoc: nil, sortKey: d)
        }
        let d = date(y)
        let list = DemoLexicon.fieldWords.contains { ev.contains($0) } ? DemoLexicon.fieldScenes : DemoLexicon.ceremonyScenes
        let scenes = rng.ordered(min(k, list.count), of: list.count)
        let items = scenes.map { i in
            (describe(f, title: "\(ev)照片——\(list[i])", creator: creator, date: d, pages: 0,
                      carrier: carrier, subjects: subj), DemoDocRequest?.none)
        }
        return fileUnit(f, title: ev + "照片", creator: creator, carrier: carrier, subjects: subj, items: items)
    }

    mutating func meeting(_ pi: Int, _ p: DemoProfile, _ y: Int) -> (String, [String], Double) {
        let era = p.era(y)
        let t = topicFor(pi, p, y)
        switch rng.int(0...3) {
        case 0: return ("\(y)年全市\(work(t.text))会议", Array(t.subjects.prefix(2)), t.secrecy)
        case 1:
            let kind = p.agency == .government ? rng.pick(["市政府常务会议", "市长办公会议"]) : "局长办公会议"
            return ("\(era.name)\(y)年第\(cn(rng.int(1...30)))次\(kind)", ["会议"], 0.04)
        case 2: return ("江临市\(y)年\(era.work)工作会议", [p.domain, "会议"], 0.01)
        default: return ("\(era.name)\(y)年职工代表大会", ["职工代表大会"], 0)
        }
    }

    mutating func recording(_ pi: Int, _ p: DemoProfile, _ y: Int) -> DemoUnit {
        let (m, subj, secrecy) = meeting(pi, p, y)
        let carrier = y < 2003 ? "磁带" : y < 2013 ? "光盘" : "电子"
        let (cls, access) = security(y, secrecy: secrecy)
        let f = DemoFrame(category: "LY", year: y, retention: retention(rng.chance(0.7) ? .permanent : .thirtyYears, for: cls),
                          organisation: organisation("BGS"), classification: cls, accessStatus: access,
                          location: location(p, y, carrier: carrier))
        let d = date(y)
        let title = m.hasSuffix("会议") || m.hasSuffix("大会") ? m + "录音" : m + "会议录音"
        let desc = describe(f, title: title, creator: p.era(y).name, date: d, pages: 0, carrier: carrier,
                            subjects: subj, notes: notes(carrier: carrier, year: y))
        return DemoUnit(head: desc, headDoc: nil, sortKey: d)
    }

    mutating func video(_ pi: Int, _ p: DemoProfile, _ y: Int) -> DemoUnit {
        let carrier = y < 2001 ? "磁带" : y < 2011 ? "光盘" : "电子"
        var title: String
        var subj: [String]
        var secrecy = 0.0
        switch rng.int(0...2) {
        case 0:
            let (ev, s) = event(pi, p, y)
            title = ev + "录像"
            subj = s
        case 1:
            let (m, s, sec) = meeting(pi, p, y)
            title = m + "录像"
            subj = s
            secrecy = sec
        default:
            let t = topicFor(pi, p, y)
            title = "江临市\(y)年\(work(t.text))专题片"
            subj = Array(t.subjects.prefix(2))
        }
        let (cls, access) = security(y, secrecy: secrecy)
        let f = DemoFrame(category: "LX", year: y, retention: retention(rng.chance(0.6) ? .permanent : .thirtyYears, for: cls),
                          organisation: organisation("BGS"), classification: cls, accessStatus: access,
                          location: location(p, y, carrier: carrier))
        let d = date(y)
        let desc = describe(f, title: title, creator: p.era(y).name, date: d, pages: 0, carrier: carrier,
                            subjects: subj, notes: notes(carrier: carrier, year: y))
        return DemoUnit(head: desc, headDoc: nil, sortKey: d)
    }

    // MARK: 实物

    mutating func object(_ p: DemoProfile, _ y: Int) -> DemoUnit {
        let name = p.era(y).name
        let title: String
        let subj: [String]
        switch rng.int(0...3) {
        case 0:
            let codes = Array(Set(p.topics.map(\.org))).sorted()
            let dept = DemoLexicon.orgNames[rng.pick(codes)] ?? "办公室"
            title = "\(name)\(rng.chance(0.4) ? "" : dept)印章（\(y)年停用）"
            subj = ["印章"]
        case 1:
            let donor: String
            switch rng.int(0...2) {
            case 0: donor = person(y)
            case 1: donor = village() + "村民委员会"
            default: donor = rng.pick(DemoLexicon.factories)
            }
            title = "\(donor)赠\(name)锦旗（“\(rng.pick(DemoLexicon.pennantPhrases))”）"
            subj = ["锦旗"]
        case 2 where y >= 1985:
            title = "\(y)年“\(rng.pick(p.honours))”奖牌"
            subj = ["奖牌", "荣誉"]
        default:
            title = "\(name)\(y)年度先进集体奖状"
            subj = ["奖状", "荣誉"]
        }
        let (cls, access) = security(y, secrecy: 0)
        let f = DemoFrame(category: "SW", year: y, retention: .permanent, organisation: organisation("BGS"),
                          classification: cls, accessStatus: access, location: location(p, y, carrier: "实物"))
        let d = date(y)
        let desc = describe(f, title: title, creator: name, date: d, pages: 0, carrier: "实物", subjects: subj)
        return DemoUnit(head: desc, headDoc: nil, sortKey: d)
    }
}

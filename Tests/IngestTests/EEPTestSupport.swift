import Foundation
import XCTest
@testable import Ingest

/// Builds DA/T 48-2009 electronic records encapsulation packages the way agencies' systems
/// write them: `<电子文件封装包>` in the SAAC namespace, 被签名对象 with 封装内容 / 文件实体块 /
/// 文件实体, the DA/T 48 metadata, each computer file base64-encoded in 76-character MIME lines
/// inside 文档 / 文档数据 / 编码 / 编码数据, then 业务实体块, 机构人员实体块 and an 电子签名块.
struct EEPFixture {
    struct Document {
        var title: String
        var name: String?
        var bytes: [UInt8]
        var format: String?
        var keyword: String? = "base64"
        /// 计算机文件大小 as written; nil writes the true size.
        var declaredSize: String?
        /// Replaces the encoded data (for broken base64).
        var encodedOverride: String?
        var dataID: String?
        var referenceID: String?
    }

    struct Record {
        var recordNumber = "J012-2015-000001"
        var archivalCode: String? = "J012-WS·2015-Y-BGS-0001"
        var fonds = "J012"
        var year = "2015"
        var retention = "永久"
        var organisation = "BGS"
        var itemNumber = "1"
        var title = "关于印发《2015年档案工作要点》的通知"
        var subjects = ["档案工作", "要点"]
        var documentNumber = "档发〔2015〕1号"
        var creators = ["某市档案局"]
        var date = "2015-03-15"
        var classification = "非密"
        var pages = "3"
        var control = "开放"
        var note: String? = "正文及附件"
        var documents: [Document] = []
    }

    var records: [Record]
    var packageType = "原始型"
    var modified = false
    var rootName = "电子文件封装包"

    /// The standard good package: one record (件) with a PDF 正文, a text 附件 and a PNG 签发单.
    static func good() -> EEPFixture {
        var r = Record()
        r.documents = [
            Document(title: "正文", name: "关于印发2015年档案工作要点的通知.pdf", bytes: Samples.pdf(title: "EEP"), format: "PDF",
                     keyword: "base64-pdf"),
            Document(title: "附件", name: "附件1 2015年档案工作要点.txt", bytes: Samples.text, format: "文本"),
            Document(title: "发文稿纸", name: "发文稿纸.png", bytes: Samples.png, format: "image/png"),
        ]
        return EEPFixture(records: [r])
    }

    var xml: String {
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        x += "<\(rootName) xmlns=\"http://www.saac.gov.cn/standards/ERM/encapsulation\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
        x += "  <封装包格式描述>本EEP根据中华人民共和国档案行业标准DA/T 48-2009《基于XML的电子文件封装规范》生成</封装包格式描述>\n"
        x += "  <版本>2009</版本>\n"
        x += "  <被签名对象 eep版本=\"2009\">\n"
        x += "    <封装包类型>\(packageType)</封装包类型>\n"
        x += "    <封装包类型描述>本封装包包含电子文件数据及其元数据，原始封装，未经修改</封装包类型描述>\n"
        x += "    <封装包创建时间>2015-12-01T10:20:30</封装包创建时间>\n"
        x += "    <封装包创建单位>某市档案局办公室</封装包创建单位>\n"
        x += modified ? "    <修改封装内容><修改标识符>修改1</修改标识符><原封装包/><修订内容/></修改封装内容>\n" : "    <封装内容>\n      <文件实体块>\n"
        if !modified {
            var documentNumber = 0
            for r in records {
                x += record(r, startingAt: &documentNumber)
            }
            x += "      </文件实体块>\n"
            x += "      <业务实体块><业务实体><业务标识符>B1</业务标识符><机构人员标识符>P1</机构人员标识符><文件标识符>F1</文件标识符>"
            x += "<业务状态>历史行为</业务状态><业务行为>归档</业务行为><行为时间>2015-12-01T10:00:00</行为时间></业务实体></业务实体块>\n"
            x += "      <机构人员实体块><机构人员实体><机构人员标识符>P1</机构人员标识符><机构人员类型>个人</机构人员类型>"
            x += "<机构人员名称>张伟</机构人员名称><个人职位>档案员</个人职位></机构人员实体></机构人员实体块>\n"
            x += "    </封装内容>\n"
        }
        x += "  </被签名对象>\n"
        x += "  <电子签名块><电子签名><签名标识符>修改0-签名1</签名标识符><签名规则>GB/T 25064</签名规则>"
        x += "<签名时间>2015-12-01T10:21:00</签名时间><签名人>张伟</签名人><签名结果>\(Data("not a real signature".utf8).base64EncodedString())</签名结果>"
        x += "<证书块><证书>\(Data("certificate".utf8).base64EncodedString())</证书></证书块><签名算法标识>SM2</签名算法标识></电子签名></电子签名块>\n"
        x += "</\(rootName)>\n"
        return x
    }

    private func record(_ r: Record, startingAt documentNumber: inout Int) -> String {
        var x = "        <文件实体>\n"
        x += "          <聚合层次>文件</聚合层次>\n"
        x += "          <来源><档案馆名称>某市档案馆</档案馆名称><全宗名称>某市档案局</全宗名称><立档单位名称>某市档案局</立档单位名称></来源>\n"
        x += "          <电子文件号>\(r.recordNumber)</电子文件号>\n"
        x += "          <档号>\(r.archivalCode ?? "")<全宗号>\(r.fonds)</全宗号><年度>\(r.year)</年度><保管期限>\(r.retention)</保管期限>"
        x += "<机构或问题>\(r.organisation)</机构或问题><室编件号>\(r.itemNumber)</室编件号></档号>\n"
        x += "          <内容描述>\n"
        x += "            <题名>\(esc(r.title))</题名>\n"
        for s in r.subjects { x += "            <主题词 主题词表名称=\"档案主题词表\">\(s)</主题词>\n" }
        x += "            <文件编号>\(r.documentNumber)</文件编号>\n"
        for c in r.creators { x += "            <责任者>\(c)</责任者>\n" }
        x += "            <日期>\(r.date)</日期>\n            <密级>\(r.classification)</密级>\n"
        x += "          </内容描述>\n"
        x += "          <形式特征><文件组合类型>组合文件</文件组合类型><页数>\(r.pages)</页数><语种>汉语</语种></形式特征>\n"
        x += "          <存储位置><当前位置>业务系统</当前位置><脱机载体编号>无</脱机载体编号></存储位置>\n"
        x += "          <权限管理><控制标识>\(r.control)</控制标识></权限管理>\n"
        if let note = r.note { x += "          <附注>\(esc(note))</附注>\n" }
        x += "          <文件数据>\n"
        for d in r.documents {
            documentNumber += 1
            let n = documentNumber
            x += "            <文档>\n"
            x += "              <文档标识符>修改0-文档\(n)</文档标识符><文档序号>\(n)</文档序号>"
            x += "<文档主从声明>\(n == 1 ? "主文档" : "附属文档")</文档主从声明><题名>\(esc(d.title))</题名>\n"
            x += "              <文档数据 文档数据ID=\"修改0-文档\(n)-文档数据1\">\n"
            x += "                <编码 编码ID=\"修改0-文档\(n)-文档数据1-编码1\">\n"
            x += "                  <电子属性>"
            if let f = d.format { x += "<格式信息>\(esc(f))</格式信息>" }
            if let name = d.name { x += "<计算机文件名>\(esc(name))</计算机文件名>" }
            x += "<计算机文件大小>\(d.declaredSize ?? String(d.bytes.count))</计算机文件大小><文档创建程序>公文处理系统 V3</文档创建程序></电子属性>\n"
            x += "                  <编码描述>本封装包中“编码数据”元素存储的是计算机文件二进制流的Base64编码，有关Base64编码规则参见IETF RFC 2045多用途邮件扩展（MIME）第一部分：互联网信息体格式。</编码描述>\n"
            if let k = d.keyword { x += "                  <反编码关键字>\(esc(k))</反编码关键字>\n" }
            let encoded = d.encodedOverride ?? Data(d.bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
            let reference = d.referenceID.map { " 引用编码数据ID=\"\($0)\"" } ?? ""
            x += "                  <编码数据 编码数据ID=\"\(d.dataID ?? "修改0-文档\(n)-文档数据1-编码1-编码数据1")\"\(reference)>\n\(encoded)\n</编码数据>\n"
            x += "                </编码>\n              </文档数据>\n            </文档>\n"
        }
        x += "          </文件数据>\n        </文件实体>\n"
        return x
    }

    private func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// Writes the package to a fresh temporary directory and returns the file.
    func write(named name: String = "J012-2015-000001.eep.xml", to dir: URL) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try Data(xml.utf8).write(to: url)
        return url
    }
}

extension XCTestCase {
    /// A fresh directory removed after the test.
    func eepScratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-eep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        removeLater(dir)
        return dir
    }

    /// Unpacks, expecting a refusal; returns it.
    func eepRefusal(_ fixture: EEPFixture, limits: EEPPackage.Limits = .init(),
                    file: StaticString = #filePath, line: UInt = #line) throws -> EEPError? {
        let dir = try eepScratch()
        let xml = try fixture.write(to: dir)
        return eepRefusal(xml, in: dir, limits: limits, file: file, line: line)
    }

    func eepRefusal(_ xml: URL, in dir: URL, limits: EEPPackage.Limits = .init(),
                    file: StaticString = #filePath, line: UInt = #line) -> EEPError? {
        do {
            let summary = try EEPPackage.unpack(xml: xml, into: dir, named: "bag", options: .init(limits: limits))
            XCTFail("unpacked although it should not: \(summary.files.map(\.path))", file: file, line: line)
            return nil
        } catch {
            // Nothing left behind: only the package itself remains.
            let left = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            XCTAssertEqual(left, [xml.lastPathComponent], "left behind after \(error.code)", file: file, line: line)
            XCTAssertFalse(error.reasonZh.isEmpty || error.reasonEn.isEmpty, file: file, line: line)
            return error
        }
    }
}

import Foundation
@testable import LantaiServer
import XCTest
import XCTVapor

/// A DA/T 48 EEP (one XML file with base64 content and metadata) goes in as a transfer like a
/// bag: checked, accepted, preserved — and the text of its documents becomes searchable.
final class EEPTransferTests: TransferTestCase {
    static func eep(text: String, title: String) -> String {
        let encoded = Data(text.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <电子文件封装包 xmlns="http://www.saac.gov.cn/standards/ERM/encapsulation">
          <封装包格式描述>本EEP根据中华人民共和国档案行业标准DA/T 48-2009《基于XML的电子文件封装规范》生成</封装包格式描述>
          <版本>2009</版本>
          <被签名对象 eep版本="2009">
            <封装包类型>原始型</封装包类型>
            <封装包类型描述>原始封装</封装包类型描述>
            <封装包创建时间>2015-12-01T10:20:30</封装包创建时间>
            <封装包创建单位>江临市教育局办公室</封装包创建单位>
            <封装内容>
              <文件实体块>
                <文件实体>
                  <聚合层次>文件</聚合层次>
                  <电子文件号>J012-2015-000001</电子文件号>
                  <档号>J012-WS·2015-Y-BGS-0001<全宗号>J012</全宗号><年度>2015</年度><保管期限>永久</保管期限><机构或问题>BGS</机构或问题><室编件号>1</室编件号></档号>
                  <内容描述>
                    <题名>\(title)</题名>
                    <文件编号>江教发〔2015〕7号</文件编号>
                    <责任者>江临市教育局</责任者>
                    <日期>2015-03-15</日期>
                    <密级>非密</密级>
                  </内容描述>
                  <形式特征><页数>1</页数></形式特征>
                  <权限管理><控制标识>开放</控制标识></权限管理>
                  <文件数据>
                    <文档>
                      <文档标识符>修改0-文档1</文档标识符><文档序号>1</文档序号><文档主从声明>主文档</文档主从声明><题名>正文</题名>
                      <文档数据 文档数据ID="修改0-文档1-文档数据1">
                        <编码 编码ID="修改0-文档1-文档数据1-编码1">
                          <电子属性><格式信息>文本</格式信息><计算机文件名>正文.txt</计算机文件名><计算机文件大小>\(Data(text.utf8).count)</计算机文件大小></电子属性>
                          <编码描述>Base64</编码描述>
                          <反编码关键字>base64</反编码关键字>
                          <编码数据 编码数据ID="修改0-文档1-文档数据1-编码1-编码数据1">
        \(encoded)
        </编码数据>
                        </编码>
                      </文档数据>
                    </文档>
                  </文件数据>
                </文件实体>
              </文件实体块>
            </封装内容>
          </被签名对象>
          <电子签名块><电子签名><签名标识符>修改0-签名1</签名标识符><签名规则>GB/T 25064</签名规则><签名时间>2015-12-01T10:21:00</签名时间><签名人>张伟</签名人><签名结果>eA==</签名结果><证书块><证书>eA==</证书></证书块><签名算法标识>SM2</签名算法标识></电子签名></电子签名块>
        </电子文件封装包>
        """
    }

    func send(_ body: String, token: String, contentType: String = "application/xml") async throws -> APIResponse {
        var result: APIResponse?
        try await app.test(.POST, "api/v1/transfers", beforeRequest: { (req: inout XCTHTTPRequest) async throws in
            req.headers.bearerAuthorization = .init(token: token)
            req.headers.replaceOrAdd(name: .contentType, value: contentType)
            req.body = ByteBuffer(string: body)
        }, afterResponse: { (res: XCTHTTPResponse) async throws in result = APIResponse(status: res.status, body: res.body.string) })
        return result!
    }

    func testAnEEPIsCheckedAcceptedPreservedAndItsTextFoundBySearch() async throws {
        let officer = try await token("officer1", role: .agencyOfficer, agency: "J012")
        let archivist = try await token("archivist1", role: .archivist)
        let sent = try await send(Self.eep(text: "经研究，同意红星公社中心小学扩建校舍三间。", title: "关于红星公社中心小学扩建校舍的批复"), token: officer)
        XCTAssertEqual(sent.status, .created, sent.body)
        XCTAssertEqual(sent.object["packageKind"] as? String, "eep")
        let id = try XCTUnwrap(sent.object["id"] as? String)
        await app.jobWorker.drain(app)
        let report = try await call(.GET, "api/v1/transfers/\(id)/report", token: officer)
        XCTAssertEqual(report.object["passed"] as? Bool, true, report.body)
        let accepted = try await call(.POST, "api/v1/transfers/\(id)/accept", token: archivist)
        XCTAssertEqual(accepted.status, .ok, accepted.body)
        await app.jobWorker.drain(app)
        let item = try await ItemModel.query(on: app.db).first()
        XCTAssertEqual(item?.archivalCode, "J012-WS·2015-Y-BGS-0001")
        XCTAssertNotNil(item?.objectID, "preserved as an OCFL object")
        let found = try await call(.GET, "api/v1/search?q=%E6%89%A9%E5%BB%BA%E6%A0%A1%E8%88%8D%E4%B8%89%E9%97%B4")  // 扩建校舍三间
        XCTAssertEqual(found.object["total"] as? Int, 1, "the document's text is searched: \(found.body)")
        let snippet = ((found.object["hits"] as? [[String: Any]])?.first?["snippet"] as? String) ?? ""
        XCTAssertTrue(snippet.contains("<mark>扩建校舍三间</mark>"), snippet)
    }

    func testABrokenEEPIsRefusedWithItsReasonAndNothingIsPreserved() async throws {
        let officer = try await token("officer1", role: .agencyOfficer, agency: "J012")
        var broken = Self.eep(text: "正文", title: "测试")
        broken = broken.replacingOccurrences(of: "<计算机文件名>正文.txt</计算机文件名>", with: "<计算机文件名>../../etc/passwd</计算机文件名>")
        let sent = try await send(broken, token: officer)
        XCTAssertEqual(sent.status, .created)
        let id = try XCTUnwrap(sent.object["id"] as? String)
        await app.jobWorker.drain(app)
        let report = try await call(.GET, "api/v1/transfers/\(id)/report", token: officer)
        XCTAssertEqual(report.object["passed"] as? Bool, false)
        let refusal = report.object["refusal"] as? [String: Any]
        XCTAssertNotNil(refusal, report.body)
        XCTAssertTrue((refusal?["reasonZh"] as? String ?? "").contains("电子文件封装包"), report.body)
        let truncated = try await send(String(Self.eep(text: "正文", title: "测试").prefix(900)), token: officer)
        let tid = try XCTUnwrap(truncated.object["id"] as? String)
        await app.jobWorker.drain(app)
        let second = try await call(.GET, "api/v1/transfers/\(tid)/report", token: officer)
        XCTAssertEqual(second.object["passed"] as? Bool, false, second.body)
        let items = try await count("items")
        XCTAssertEqual(items, 0)
    }
}

import Fluent
import Foundation

/// 全宗 — all the records of one creating agency. The fonds number also identifies the agency
/// (立档单位) for accounts bound to an agency.
final class FondsModel: Model, @unchecked Sendable {
    static let schema = "fonds"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    /// 全宗号
    @Field(key: "code") var code: String
    /// 全宗名称
    @Field(key: "name") var name: String
    /// 立档单位
    @Field(key: "agency") var agency: String
    /// 机构沿革 — administrative history
    @Field(key: "history") var history: String
    @OptionalField(key: "start_year") var startYear: Int?
    @OptionalField(key: "end_year") var endYear: Int?

    init() {}
}

/// 门类 — a record category with its DA/T 13 code.
final class CategoryModel: Model, @unchecked Sendable {
    static let schema = "categories"

    @ID(custom: "code", generatedBy: .user) var id: String?
    @Field(key: "name_zh") var nameZh: String
    @Field(key: "name_en") var nameEn: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
    init(code: String, nameZh: String, nameEn: String) {
        self.id = code
        self.nameZh = nameZh
        self.nameEn = nameEn
    }
}

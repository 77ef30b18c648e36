import ArchiveKit

/// The words of the pages, Simplified Chinese first, English second. Pages get the table for
/// the visitor's language as `t`.
enum UIStrings {
    static let table: [String: (String, String)] = [
        "appName": ("兰台数字档案馆", "Lantai Digital Archives"),
        "catalogue": ("档案目录", "Catalogue"),
        "transfers": ("移交", "Transfers"),
        "signIn": ("登录", "Sign in"),
        "signOut": ("退出", "Sign out"),
        "username": ("用户名", "Username"),
        "password": ("密码", "Password"),
        "newPassword": ("新密码", "New password"),
        "changePassword": ("修改密码", "Change password"),
        "mustChange": ("这是一次性密码，请先设置新密码。", "This is a one-time password: choose a new one first."),
        "fonds": ("全宗", "Fonds"),
        "category": ("门类", "Category"),
        "year": ("年度", "Year"),
        "items": ("条目", "Records"),
        "count": ("数量", "Count"),
        "archivalCode": ("档号", "Archival code"),
        "title": ("题名", "Title"),
        "creator": ("责任者", "Creator"),
        "documentNumber": ("文号", "Document number"),
        "date": ("日期", "Date"),
        "retention": ("保管期限", "Retention"),
        "organisation": ("机构或问题", "Organisation"),
        "pages": ("页数", "Pages"),
        "classification": ("密级", "Classification"),
        "accessStatus": ("开放状态", "Access status"),
        "carrier": ("载体", "Carrier"),
        "subjects": ("主题词", "Subjects"),
        "notes": ("附注", "Notes"),
        "location": ("存址", "Location"),
        "level": ("层级", "Level"),
        "agency": ("立档单位", "Agency"),
        "history": ("机构沿革", "Administrative history"),
        "dateRange": ("起止年度", "Date range"),
        "edit": ("编辑", "Edit"),
        "save": ("保存", "Save"),
        "cancel": ("取消", "Cancel"),
        "editHistory": ("修改记录", "Edit history"),
        "filesItems": ("卷内文件", "Items in this file"),
        "next": ("下一页", "Next page"),
        "noRecords": ("没有可显示的条目。", "No records to show."),
        "signedInAs": ("当前用户", "Signed in as"),
        "language": ("English", "中文"),
        "subjectsHint": ("多个主题词用分号或换行分隔", "separate subjects with semicolons or new lines"),
        "fixErrors": ("请改正以下错误：", "Please correct these problems:"),
        "saved": ("已保存。", "Saved."),
        "file": ("案卷", "File"),
        "item": ("件", "Item"),
        "home": ("首页", "Home"),
        "who": ("修改人", "By"),
        "when": ("时间", "When"),
        "what": ("修改内容", "Changes"),
        "created": ("创建", "created"),
    ]

    static func strings(english: Bool) -> [String: String] {
        table.mapValues { english ? $0.1 : $0.0 }
    }
}

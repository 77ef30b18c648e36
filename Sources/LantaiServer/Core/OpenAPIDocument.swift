/// The OpenAPI 3.1 document served at /api/openapi.yaml. A test keeps it in step with the routes.
enum OpenAPIDocument {
    static let yaml = #"""
    openapi: 3.1.0
    info:
      title: Lantai 兰台 API
      version: 1.0.0
      description: |
        兰台数字档案馆的 JSON 接口。

        **认证**：用 `POST /api/v1/auth/token`（提交用户名和密码）换取令牌，之后在每个请求的
        `Authorization: Bearer <token>` 头中携带。认证是可选的：匿名调用者只能看到已开放
        （`accessStatus: open`）且非密（`classification: none`）的档案；登录后可见范围取决于角色、
        涉密等级和所属立档单位。`DELETE /api/v1/auth/token` 注销当前令牌。

        **分页**：`GET /api/v1/items` 使用游标分页。响应中的 `nextCursor` 存在时，把它作为下一次请求的
        `cursor` 参数即可取得下一页；没有 `nextCursor` 表示已到最后一页。审计日志以 `after`（序号）分页。

        **错误**：所有 4xx/5xx 响应的主体都是
        `{"error": {"code", "message", "messageZh", "messageEn", "field"?, "details"?: [{"field", "rule", "message"}]}}`，
        其中 `code` 是稳定的机器可读代码（如 `validation`、`not_found`、`forbidden`、`conflict`、`stale`），
        `message` 为“中文 / English”，校验错误在 `details` 中逐字段列出所有问题。请求体中的未知字段会被拒绝（400）。

        ---

        The JSON API of the Lantai digital archives.

        **Authentication**: exchange a username and password for a token with `POST /api/v1/auth/token`,
        then send it on every request as `Authorization: Bearer <token>`. Authentication is optional:
        anonymous callers see only records that are open (`accessStatus: open`) and unclassified
        (`classification: none`); signed-in callers see what their role, clearance and agency allow.
        `DELETE /api/v1/auth/token` revokes the token in use.

        **Pagination**: `GET /api/v1/items` is cursor-paginated. When a page carries `nextCursor`, pass it
        as the `cursor` parameter to get the next page; no `nextCursor` means the last page. The audit
        trail pages by sequence number with `after`.

        **Errors**: every 4xx/5xx response has the body
        `{"error": {"code", "message", "messageZh", "messageEn", "field"?, "details"?: [{"field", "rule", "message"}]}}`,
        where `code` is a stable machine-readable code (`validation`, `not_found`, `forbidden`, `conflict`,
        `stale` …), `message` is "中文 / English", and validation errors list every problem field by field
        in `details`. Unknown fields in a request body are refused (400).
    security:
      - bearerAuth: []
      - {}
    tags:
      - name: system
        description: 系统 / System
      - name: fonds
        description: 全宗 / Fonds
      - name: categories
        description: 门类 / Categories
      - name: items
        description: 案卷与文件 / Files and items
      - name: auth
        description: 登录与令牌 / Sign-in and tokens
      - name: users
        description: 账户（三员分立）/ Accounts (separation of duties)
      - name: audit
        description: 审计日志 / Audit trail
      - name: transfers
        description: 移交与接收 / Transfers and ingest
      - name: requests
        description: 利用申请与提供 / Requests and delivery
      - name: search
        description: 检索 / Search
      - name: preservation
        description: 长期保存（固定性检查、告警）/ Preservation (fixity audits, alerts)
    paths:
      /healthz:
        get:
          operationId: health
          summary: 健康检查 / Health check
          tags: [system]
          security: []
          responses:
            '200':
              description: 服务正常 / The node is up
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Health'
      /api/openapi.yaml:
        get:
          operationId: getOpenAPIDocument
          summary: 本接口文档 / This OpenAPI document
          tags: [system]
          security: []
          responses:
            '200':
              description: OpenAPI 3.1 文档（YAML）/ The OpenAPI 3.1 document (YAML)
              content:
                application/yaml:
                  schema:
                    type: string
      /api/v1/fonds:
        get:
          operationId: listFonds
          summary: 列出全宗 / List fonds
          tags: [fonds]
          responses:
            '200':
              description: 按全宗号排序的全部全宗 / All fonds, ordered by code
              content:
                application/json:
                  schema:
                    type: array
                    items:
                      $ref: '#/components/schemas/Fonds'
        post:
          operationId: createFonds
          summary: 新建全宗 / Create a fonds
          description: 需要档案管理员角色。/ Archivists only.
          tags: [fonds]
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/FondsInput'
          responses:
            '201':
              description: 已创建 / Created
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Fonds'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '409':
              $ref: '#/components/responses/Conflict'
            '413':
              $ref: '#/components/responses/PayloadTooLarge'
            '415':
              $ref: '#/components/responses/UnsupportedMediaType'
            '422':
              $ref: '#/components/responses/UnprocessableEntity'
      /api/v1/fonds/{id}:
        parameters:
          - $ref: '#/components/parameters/FondsId'
        get:
          operationId: getFonds
          summary: 查看全宗 / Get a fonds
          tags: [fonds]
          responses:
            '200':
              description: 全宗 / The fonds
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Fonds'
            '400':
              $ref: '#/components/responses/BadRequest'
            '404':
              $ref: '#/components/responses/NotFound'
        patch:
          operationId: updateFonds
          summary: 修改全宗 / Update a fonds
          description: |
            只修改给出的字段；全宗号不能修改（409）。需要档案管理员角色。
            Changes only the fields given; the code cannot change (409). Archivists only.
          tags: [fonds]
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/FondsInput'
          responses:
            '200':
              description: 修改后的全宗 / The updated fonds
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Fonds'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '404':
              $ref: '#/components/responses/NotFound'
            '409':
              $ref: '#/components/responses/Conflict'
            '413':
              $ref: '#/components/responses/PayloadTooLarge'
            '415':
              $ref: '#/components/responses/UnsupportedMediaType'
            '422':
              $ref: '#/components/responses/UnprocessableEntity'
      /api/v1/categories:
        get:
          operationId: listCategories
          summary: 列出门类 / List categories
          tags: [categories]
          responses:
            '200':
              description: 按代码排序的全部门类 / All categories, ordered by code
              content:
                application/json:
                  schema:
                    type: array
                    items:
                      $ref: '#/components/schemas/Category'
        post:
          operationId: createCategory
          summary: 新建门类 / Create a category
          description: 需要档案管理员角色。/ Archivists only.
          tags: [categories]
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/CategoryInput'
          responses:
            '201':
              description: 已创建 / Created
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Category'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '409':
              $ref: '#/components/responses/Conflict'
            '413':
              $ref: '#/components/responses/PayloadTooLarge'
            '415':
              $ref: '#/components/responses/UnsupportedMediaType'
            '422':
              $ref: '#/components/responses/UnprocessableEntity'
      /api/v1/categories/{code}:
        parameters:
          - $ref: '#/components/parameters/CategoryCode'
        get:
          operationId: getCategory
          summary: 查看门类 / Get a category
          tags: [categories]
          responses:
            '200':
              description: 门类 / The category
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Category'
            '404':
              $ref: '#/components/responses/NotFound'
        patch:
          operationId: updateCategory
          summary: 修改门类名称 / Rename a category
          description: |
            门类代码不能修改（409）。需要档案管理员角色。
            The code cannot change (409). Archivists only.
          tags: [categories]
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/CategoryInput'
          responses:
            '200':
              description: 修改后的门类 / The updated category
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Category'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '404':
              $ref: '#/components/responses/NotFound'
            '409':
              $ref: '#/components/responses/Conflict'
            '413':
              $ref: '#/components/responses/PayloadTooLarge'
            '415':
              $ref: '#/components/responses/UnsupportedMediaType'
            '422':
              $ref: '#/components/responses/UnprocessableEntity'
      /api/v1/items:
        get:
          operationId: listItems
          summary: 列出案卷和文件 / List files and items
          description: |
            按档号排序，只返回调用者有权看到的档案；匿名调用者只能看到已开放的非密档案。
            Ordered by archival code; only records the caller may see are listed (anonymous callers:
            open, unclassified records only).
          tags: [items]
          parameters:
            - name: fondsId
              in: query
              description: 全宗 / Fonds
              schema:
                type: string
                format: uuid
            - name: category
              in: query
              description: 门类代码或中文名（如 WS、文书）/ Category code or Chinese name (WS, 文书)
              schema:
                type: string
            - name: yearFrom
              in: query
              description: 起始年度（含）/ First year (inclusive)
              schema:
                type: integer
                minimum: 1000
                maximum: 2100
            - name: yearTo
              in: query
              description: 截止年度（含），不得早于 yearFrom / Last year (inclusive), not before yearFrom
              schema:
                type: integer
                minimum: 1000
                maximum: 2100
            - name: retention
              in: query
              description: 保管期限 / Retention period
              schema:
                $ref: '#/components/schemas/Retention'
            - name: accessStatus
              in: query
              description: 开放状态 / Access status
              schema:
                $ref: '#/components/schemas/AccessStatus'
            - name: classification
              in: query
              description: 密级 / Security classification
              schema:
                $ref: '#/components/schemas/Classification'
            - name: level
              in: query
              description: 著录层级 / Description level
              schema:
                $ref: '#/components/schemas/Level'
            - name: parentId
              in: query
              description: 只列出该案卷的卷内文件 / Only the items inside this file
              schema:
                type: string
                format: uuid
            - name: cursor
              in: query
              description: 上一页的 nextCursor / The nextCursor of the previous page
              schema:
                type: string
                maxLength: 200
            - name: limit
              in: query
              description: 每页条数 / Page size
              schema:
                type: integer
                minimum: 1
                maximum: 500
                default: 50
          responses:
            '200':
              description: 一页档案 / A page of records
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/ItemPage'
            '400':
              $ref: '#/components/responses/BadRequest'
        post:
          operationId: createItem
          summary: 新建条目 / Create an item
          description: |
            新建一个案卷或文件并编档号（未给出 archivalCode 时自动编号）。fondsId 必填。需要档案管理员角色。
            Creates a file or item and numbers it (automatically unless archivalCode is given).
            fondsId is required. Archivists only.
          tags: [items]
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/ItemInput'
          responses:
            '201':
              description: 已创建 / Created
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Item'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '409':
              $ref: '#/components/responses/Conflict'
            '413':
              $ref: '#/components/responses/PayloadTooLarge'
            '415':
              $ref: '#/components/responses/UnsupportedMediaType'
            '422':
              $ref: '#/components/responses/UnprocessableEntity'
      /api/v1/items/batch:
        post:
          operationId: createItemsBatch
          summary: 批量新建条目 / Create items in a batch
          description: |
            在一个事务中新建最多 5000 条：全部成功或全部不写入。校验错误逐条报告（如 `items[3].title`）。
            请求体最大 64 MB。需要档案管理员角色。
            Creates up to 5000 records in one transaction: all or none. Validation problems are reported
            per record (`items[3].title`). The body may be up to 64 MB. Archivists only.
          tags: [items]
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/BatchInput'
          responses:
            '201':
              description: 已创建 / Created
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/BatchResult'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '409':
              $ref: '#/components/responses/Conflict'
            '413':
              $ref: '#/components/responses/PayloadTooLarge'
            '415':
              $ref: '#/components/responses/UnsupportedMediaType'
            '422':
              $ref: '#/components/responses/UnprocessableEntity'
      /api/v1/items/{id}:
        parameters:
          - $ref: '#/components/parameters/ItemId'
        get:
          operationId: getItem
          summary: 查看条目 / Get an item
          description: |
            匿名调用者读取无权查看的档案时得到 401（不透露其是否存在）。
            An anonymous caller asking for a record it may not see gets 401 (its existence is not confirmed).
          tags: [items]
          responses:
            '200':
              description: 条目 / The record
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Item'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '404':
              $ref: '#/components/responses/NotFound'
        patch:
          operationId: updateItem
          summary: 修改条目 / Update an item
          description: |
            只修改给出的字段。fondsId、parentId、archivalCode 以及构成档号的 category、year、retention、
            organisation 在编号后不能修改（409）。可用 `If-Match: <version>` 防止覆盖他人的修改（412）。
            Changes only the fields given. fondsId, parentId, archivalCode and the fields that make up the
            archival code (category, year, retention, organisation) cannot change once numbered (409).
            Send `If-Match: <version>` to avoid overwriting someone else's edit (412).
          tags: [items]
          parameters:
            - name: If-Match
              in: header
              description: 期望的版本号（Item.version）/ The expected version (Item.version)
              schema:
                type: string
                pattern: '^(W/)?"?[0-9]+"?$'
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/ItemInput'
          responses:
            '200':
              description: 修改后的条目 / The updated record
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Item'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '404':
              $ref: '#/components/responses/NotFound'
            '409':
              $ref: '#/components/responses/Conflict'
            '412':
              $ref: '#/components/responses/PreconditionFailed'
            '413':
              $ref: '#/components/responses/PayloadTooLarge'
            '415':
              $ref: '#/components/responses/UnsupportedMediaType'
            '422':
              $ref: '#/components/responses/UnprocessableEntity'
      /api/v1/items/{id}/history:
        parameters:
          - $ref: '#/components/parameters/ItemId'
        get:
          operationId: getItemHistory
          summary: 条目修改历史 / Item edit history
          description: 需要登录。/ Signed-in callers only.
          tags: [items]
          responses:
            '200':
              description: 修改记录 / The edits
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/History'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '404':
              $ref: '#/components/responses/NotFound'
      /api/v1/auth/token:
        post:
          operationId: issueToken
          summary: 登录并获取令牌 / Sign in and get a token
          description: |
            用户名和密码正确时返回 Bearer 令牌。一次性密码须先通过 `POST /api/v1/auth/password` 修改（403）。
            连续失败过多会被限流（429）。
            Returns a bearer token for a correct username and password. A one-time password must first be
            changed with `POST /api/v1/auth/password` (403). Too many failures are throttled (429).
          tags: [auth]
          security: []
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/Credentials'
          responses:
            '200':
              description: 令牌 / The token
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/TokenResponse'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '413':
              $ref: '#/components/responses/PayloadTooLarge'
            '415':
              $ref: '#/components/responses/UnsupportedMediaType'
            '429':
              $ref: '#/components/responses/TooManyRequests'
        delete:
          operationId: revokeOwnToken
          summary: 注销当前令牌 / Revoke the token in use
          tags: [auth]
          security:
            - bearerAuth: []
          responses:
            '204':
              description: 已注销 / Revoked
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '404':
              $ref: '#/components/responses/NotFound'
      /api/v1/auth/password:
        post:
          operationId: changePassword
          summary: 修改密码 / Change a password
          description: |
            以用户名和旧密码认证，不需要令牌；用于设置一次性密码之后的正式密码。
            Authenticates with the username and old password, no token needed; this is how a one-time
            password is replaced.
          tags: [auth]
          security: []
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/PasswordChange'
          responses:
            '204':
              description: 已修改 / Changed
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '413':
              $ref: '#/components/responses/PayloadTooLarge'
            '415':
              $ref: '#/components/responses/UnsupportedMediaType'
            '422':
              $ref: '#/components/responses/UnprocessableEntity'
            '429':
              $ref: '#/components/responses/TooManyRequests'
      /api/v1/transfers:
        get:
          operationId: listTransfers
          summary: 列出移交 / List transfers
          description: 档案管理员看到全部，立档单位档案员看到本单位的。/ Archivists see all; agency officers see their agency's.
          tags: [transfers]
          security:
            - bearerAuth: []
          responses:
            '200':
              description: 最新的 200 个移交 / The newest 200 transfers
              content:
                application/json:
                  schema:
                    type: array
                    items:
                      $ref: '#/components/schemas/Transfer'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
        post:
          operationId: submitTransfer
          summary: 提交移交包 / Submit a transfer package
          description: |
            请求体是 BagIt 包的 zip 或 tar，流式写入磁盘并记录 SHA-256。立档单位档案员为本单位移交；档案管理员用 ?agency= 指明立档单位。
            The body is a BagIt bag as zip or tar, streamed to disk with its SHA-256 recorded. An agency officer sends for their own agency; an archivist names it with ?agency=.
          tags: [transfers]
          security:
            - bearerAuth: []
          parameters:
            - name: agency
              in: query
              required: false
              description: 全宗号（档案管理员必填）/ Fonds number (required for archivists)
              schema:
                type: string
          requestBody:
            required: true
            content:
              application/zip:
                schema:
                  type: string
                  format: binary
              application/x-tar:
                schema:
                  type: string
                  format: binary
          responses:
            '201':
              description: 已接收 / Received
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Transfer'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '413':
              $ref: '#/components/responses/PayloadTooLarge'
            '415':
              $ref: '#/components/responses/UnsupportedMediaType'
            '422':
              $ref: '#/components/responses/UnprocessableEntity'
      /api/v1/transfers/{id}:
        get:
          operationId: getTransfer
          summary: 移交详情与进度 / A transfer and its progress
          tags: [transfers]
          security:
            - bearerAuth: []
          parameters:
            - name: id
              in: path
              required: true
              schema:
                type: string
                format: uuid
          responses:
            '200':
              description: 移交 / The transfer
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Transfer'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '404':
              $ref: '#/components/responses/NotFound'
      /api/v1/transfers/{id}/report:
        get:
          operationId: getTransferReport
          summary: 四性检测报告 / The four-property check report
          description: |
            检测完成后可用：每个检测项（真实性、完整性、可用性、安全性）的结论与中英文理由、每个文件的摘要与格式、每条著录的校验结果；无法安全解包时给出拒绝理由（refusal）。
            Available once checked: each check item (authenticity, integrity, usability, security) with its outcome and reasons in Chinese and English, each file's digests and format, each record's validation; when the package cannot be unpacked safely, the refusal.
          tags: [transfers]
          security:
            - bearerAuth: []
          parameters:
            - name: id
              in: path
              required: true
              schema:
                type: string
                format: uuid
          responses:
            '200':
              description: 检测报告 / The report
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/TransferReport'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '404':
              $ref: '#/components/responses/NotFound'
            '409':
              $ref: '#/components/responses/Conflict'
      /api/v1/transfers/{id}/accept:
        post:
          operationId: acceptTransfer
          summary: 接收移交 / Accept a transfer
          description: |
            档案管理员接收已通过四性检测的移交：条目编入目录并分配档号，随后后台为每条写入 OCFL 归档信息包（状态 accepting → accepted）。
            An archivist accepts a transfer that passed the four-property checks: its records enter the catalogue with 档号, then a background job writes one OCFL archival package per record (status accepting → accepted).
          tags: [transfers]
          security:
            - bearerAuth: []
          parameters:
            - name: id
              in: path
              required: true
              schema:
                type: string
                format: uuid
          responses:
            '200':
              description: 已接收，正在写入归档信息包 / Accepted; packages are being written
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Transfer'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '404':
              $ref: '#/components/responses/NotFound'
            '409':
              $ref: '#/components/responses/Conflict'
            '422':
              $ref: '#/components/responses/UnprocessableEntity'
      /api/v1/transfers/{id}/reject:
        post:
          operationId: rejectTransfer
          summary: 退回移交 / Return a transfer to its agency
          tags: [transfers]
          security:
            - bearerAuth: []
          parameters:
            - name: id
              in: path
              required: true
              schema:
                type: string
                format: uuid
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  additionalProperties: false
                  required: [reason]
                  properties:
                    reason:
                      type: string
                      maxLength: 4000
                      description: 退回理由，立档单位可见 / The reason, shown to the agency
          responses:
            '200':
              description: 已退回 / Returned
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Transfer'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '404':
              $ref: '#/components/responses/NotFound'
            '409':
              $ref: '#/components/responses/Conflict'
            '422':
              $ref: '#/components/responses/UnprocessableEntity'
      /api/v1/transfers/{id}/receipt:
        get:
          operationId: getTransferReceipt
          summary: 移交接收单 / The signed transfer receipt
          description: |
            接收完成后可下载：所接收条目（档号、题名、归档信息包）、文件及其 SHA-256/SM3、数量，由本节点以 Ed25519 签名；签名针对 receipt 字符串的原始字节。
            Available once accepted: the records received (档号, title, archival package), their files with SHA-256/SM3, and counts, signed by this node with Ed25519 over the exact bytes of the receipt string.
          tags: [transfers]
          security:
            - bearerAuth: []
          parameters:
            - name: id
              in: path
              required: true
              schema:
                type: string
                format: uuid
          responses:
            '200':
              description: 接收单与签名 / Receipt and signature
              content:
                application/json:
                  schema:
                    type: object
                    required: [receipt, signature, algorithm, publicKey]
                    properties:
                      receipt:
                        type: string
                        description: 规范 JSON / Canonical JSON
                      signature:
                        type: string
                        description: Base64
                      algorithm:
                        type: string
                        const: Ed25519
                      publicKey:
                        type: string
                        description: Base64 (raw 32 bytes)
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '404':
              $ref: '#/components/responses/NotFound'
            '409':
              $ref: '#/components/responses/Conflict'
      /api/v1/uploads:
        post:
          operationId: openUpload
          summary: 开始断点续传上传 / Open a resumable upload
          description: |
            声明移交包的字节数（及档案管理员代传时的全宗号），得到上传编号；随后用 PATCH 分段发送，断线后先 GET 查询已收到的字节数再继续，最后 complete。
            Announce the package's size (and, for an archivist, the agency's fonds number) to get an upload id; send pieces with PATCH, after a dropped connection GET the offset and go on, then complete.
          tags: [transfers]
          security:
            - bearerAuth: []
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  additionalProperties: false
                  required: [length]
                  properties:
                    length:
                      type: integer
                      format: int64
                      minimum: 1
                    agency:
                      type: string
          responses:
            '201':
              description: 已开始 / Opened
              headers:
                Location:
                  schema:
                    type: string
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Upload'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '413':
              $ref: '#/components/responses/PayloadTooLarge'
            '422':
              $ref: '#/components/responses/UnprocessableEntity'
      /api/v1/uploads/{id}:
        get:
          operationId: getUpload
          summary: 已收到多少字节 / How many bytes have arrived
          tags: [transfers]
          security:
            - bearerAuth: []
          parameters:
            - $ref: '#/components/parameters/UploadId'
          responses:
            '200':
              description: 上传状态 / The upload
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Upload'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '404':
              $ref: '#/components/responses/NotFound'
        patch:
          operationId: appendToUpload
          summary: 发送一段数据 / Send a piece
          description: |
            Upload-Offset 必须等于已收到的字节数，否则 409 并给出应从何处继续。
            Upload-Offset must equal the bytes received so far; otherwise 409 says where to go on from.
          tags: [transfers]
          security:
            - bearerAuth: []
          parameters:
            - $ref: '#/components/parameters/UploadId'
            - name: Upload-Offset
              in: header
              required: true
              schema:
                type: integer
                format: int64
                minimum: 0
          requestBody:
            required: true
            content:
              application/octet-stream:
                schema:
                  type: string
                  format: binary
          responses:
            '200':
              description: 新的偏移量 / The new offset
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Upload'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '404':
              $ref: '#/components/responses/NotFound'
            '409':
              $ref: '#/components/responses/Conflict'
            '413':
              $ref: '#/components/responses/PayloadTooLarge'
        delete:
          operationId: abandonUpload
          summary: 放弃上传并删除已收数据 / Abandon the upload and delete its bytes
          tags: [transfers]
          security:
            - bearerAuth: []
          parameters:
            - $ref: '#/components/parameters/UploadId'
          responses:
            '204':
              description: 已删除 / Deleted
            '401':
              $ref: '#/components/responses/Unauthorized'
            '404':
              $ref: '#/components/responses/NotFound'
      /api/v1/uploads/{id}/complete:
        post:
          operationId: completeUpload
          summary: 完成上传，生成移交 / Finish the upload and make the transfer
          description: |
            收齐声明的字节数后，按文件头识别 zip/tar，计算 SHA-256，登记移交并排队检测——与一次性上传 POST /api/v1/transfers 相同。
            Once every announced byte has arrived: the kind is read from the first bytes, the SHA-256 computed, and the transfer registered and queued for checking — as a one-piece POST /api/v1/transfers would.
          tags: [transfers]
          security:
            - bearerAuth: []
          parameters:
            - $ref: '#/components/parameters/UploadId'
          responses:
            '201':
              description: 已登记的移交 / The transfer
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Transfer'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '404':
              $ref: '#/components/responses/NotFound'
            '409':
              $ref: '#/components/responses/Conflict'
            '415':
              $ref: '#/components/responses/UnsupportedMediaType'
      /api/v1/requests:
        post:
          operationId: submitRequest
          summary: 提交利用申请 / Submit a request to use records
          description: |
            网上申请无需登录（channel 为 online）；服务点经办人以 service-point、档案管理员以 on-site/phone/letter 代为登记。身份证号只保存掩码与带密钥的哈希。返回的查询号用于跟踪办理进度。
            Online requests need no account (channel online); a service-point operator registers service-point requests, an archivist on-site, phone and letter ones. The identity number is kept only masked and as a keyed hash. The reference returned is how the requester follows the request.
          tags: [requests]
          security:
            - {}
            - bearerAuth: []
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  additionalProperties: false
                  required: [purpose, requesterName, identityNumber]
                  properties:
                    channel:
                      type: string
                      enum: [online, on-site, phone, letter, service-point]
                      default: online
                    purpose:
                      type: string
                      enum: [marriage, schooling, employment, land-housing, military-service, research, official, other]
                    requesterName:
                      type: string
                      maxLength: 100
                    identityKind:
                      type: string
                      enum: [resident-id, passport, hk-macao-permit, taiwan-permit, foreign-permanent-resident, other]
                      default: resident-id
                    identityNumber:
                      type: string
                    contact:
                      type: string
                      maxLength: 100
                    itemIds:
                      type: array
                      maxItems: 50
                      items:
                        type: string
                        format: uuid
                    sought:
                      type: string
                      maxLength: 2000
          responses:
            '201':
              description: 已提交 / Submitted
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/AccessRequest'
            '400':
              $ref: '#/components/responses/BadRequest'
            '403':
              $ref: '#/components/responses/Forbidden'
            '422':
              $ref: '#/components/responses/UnprocessableEntity'
        get:
          operationId: listRequests
          summary: 申请列表（档案管理员；服务点只见本点登记的）/ List requests (archivists; a service point sees its own)
          tags: [requests]
          security:
            - bearerAuth: []
          parameters:
            - name: status
              in: query
              schema:
                type: string
                enum: [submitted, accepted, approved, refused, delivered, withdrawn]
          responses:
            '200':
              description: 申请 / Requests
              content:
                application/json:
                  schema:
                    type: array
                    items:
                      $ref: '#/components/schemas/AccessRequest'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
      /api/v1/requests/{ref}:
        get:
          operationId: getRequest
          summary: 凭查询号查看办理进度 / Follow a request by its reference
          description: |
            持有查询号者可见状态、期限、不予提供的理由和下载链接；申请人信息只对经办人显示。无效或伪造的查询号返回 404。
            Whoever holds the reference sees the status, deadline, refusal reason and download links; the requester's details show only to staff handling it. An invalid or forged reference is 404.
          tags: [requests]
          security:
            - {}
            - bearerAuth: []
          parameters:
            - $ref: '#/components/parameters/RequestRef'
          responses:
            '200':
              description: 申请 / The request
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/AccessRequest'
            '404':
              $ref: '#/components/responses/NotFound'
      /api/v1/requests/{ref}/events:
        post:
          operationId: actOnRequest
          summary: 办理：受理、批准、不予提供、提供、撤回 / Act on a request
          description: |
            accept、approve、refuse（须写理由）由档案管理员办理；deliver 为已批准条目的 PDF 和图像生成带水印的利用副本；withdraw 由登记渠道的申请人在决定前撤回。
            accept, approve and refuse (with a reason) are an archivist's; deliver makes watermarked access copies of the approved records' PDFs and images; withdraw is the requester's, before a decision.
          tags: [requests]
          security:
            - {}
            - bearerAuth: []
          parameters:
            - $ref: '#/components/parameters/RequestRef'
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  additionalProperties: false
                  required: [event]
                  properties:
                    event:
                      type: string
                      enum: [accept, approve, refuse, deliver, withdraw]
                    reason:
                      type: string
                      maxLength: 500
          responses:
            '200':
              description: 新状态 / The new state
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/AccessRequest'
            '400':
              $ref: '#/components/responses/BadRequest'
            '403':
              $ref: '#/components/responses/Forbidden'
            '404':
              $ref: '#/components/responses/NotFound'
            '409':
              $ref: '#/components/responses/Conflict'
            '422':
              $ref: '#/components/responses/UnprocessableEntity'
      /api/v1/search:
        get:
          operationId: search
          summary: 全文检索 / Full-text search
          description: |
            检索题名、责任者、文号、档号和全文（中文按双字切分，繁简通检）。支持 "短语"、AND / OR / NOT（或 -词）、括号，字段限定 题名: 责任者: 文号: 档号: 年度:2010-2015（或 title: creator: documentNumber: archivalCode: year:），within 为上一次检索（在结果中检索）。只返回调用者有权看到的档案，总数与分面计数同样如此。
            Searches titles, creators, document numbers, archival codes and full text (Chinese by character bigrams, traditional and simplified alike). Supports "phrases", AND / OR / NOT (or -word), parentheses, field filters 题名: 责任者: 文号: 档号: 年度:2010-2015 (or title: creator: documentNumber: archivalCode: year:), and within (the previous query, to search within results). Only records the caller may see are returned — and counted, in the total and the facets alike.
          tags: [search]
          parameters:
            - name: q
              in: query
              required: true
              schema:
                type: string
                maxLength: 256
            - name: within
              in: query
              schema:
                type: string
            - name: fonds
              in: query
              schema:
                type: string
            - name: category
              in: query
              schema:
                type: string
            - name: yearFrom
              in: query
              schema:
                type: integer
                minimum: 1000
                maximum: 2999
            - name: yearTo
              in: query
              schema:
                type: integer
                minimum: 1000
                maximum: 2999
            - name: retention
              in: query
              schema:
                type: string
            - name: carrier
              in: query
              schema:
                type: string
            - name: accessStatus
              in: query
              schema:
                type: string
            - name: sort
              in: query
              schema:
                type: string
                enum: [relevance, date, date-asc]
            - name: page
              in: query
              schema:
                type: integer
                minimum: 1
                maximum: 100
            - name: pageSize
              in: query
              schema:
                type: integer
                minimum: 1
                maximum: 100
          responses:
            '200':
              description: 命中、总数与分面 / Hits, total and facets
              content:
                application/json:
                  schema:
                    type: object
                    required: [total, page, pageSize, hits, facets]
                    properties:
                      total:
                        type: integer
                      page:
                        type: integer
                      pageSize:
                        type: integer
                      hits:
                        type: array
                        items:
                          type: object
                          required: [id, archivalCode, title, titleHighlighted, snippet]
                          properties:
                            id:
                              type: string
                              format: uuid
                            archivalCode:
                              type: string
                            title:
                              type: string
                            titleHighlighted:
                              type: string
                              description: 命中处以 <mark> 标出（其余已 HTML 转义）/ Matches in <mark>, the rest HTML-escaped
                            snippet:
                              type: string
                            creator:
                              type: string
                            documentNumber:
                              type: string
                            date:
                              type: string
                            year:
                              type: integer
                            fonds:
                              type: string
                            category:
                              type: string
                            accessStatus:
                              type: string
                            hasDigitalObject:
                              type: boolean
                      facets:
                        type: object
                        additionalProperties:
                          type: array
                          items:
                            type: object
                            required: [value, count]
                            properties:
                              value:
                                type: string
                              count:
                                type: integer
            '400':
              $ref: '#/components/responses/BadRequest'
      /api/v1/node:
        get:
          operationId: getNode
          summary: 本节点与其公钥 / This node and its public key
          tags: [node]
          security: []
          responses:
            '200':
              description: 节点代码、名称与 Ed25519 公钥 / Node code, name and Ed25519 public key
              content:
                application/json:
                  schema:
                    type: object
                    required: [code, name, publicKey, algorithm]
                    properties:
                      code:
                        type: string
                      name:
                        type: string
                      publicKey:
                        type: string
                      algorithm:
                        type: string
                        const: Ed25519
      /api/v1/me:
        get:
          operationId: getMe
          summary: 当前账户 / The signed-in account
          tags: [auth]
          security:
            - bearerAuth: []
          responses:
            '200':
              description: 当前账户 / The account
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/User'
            '401':
              $ref: '#/components/responses/Unauthorized'
      /api/v1/users:
        get:
          operationId: listUsers
          summary: 列出账户 / List accounts
          description: 系统管理员或安全保密管理员。/ System or security administrator.
          tags: [users]
          security:
            - bearerAuth: []
          responses:
            '200':
              description: 按用户名排序的全部账户 / All accounts, ordered by username
              content:
                application/json:
                  schema:
                    type: array
                    items:
                      $ref: '#/components/schemas/User'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
        post:
          operationId: createUser
          summary: 新建账户 / Create an account
          description: |
            系统管理员开设公众（citizen）账户，密码为一次性密码；角色由安全保密管理员另行授予。
            The system administrator opens a citizen account with a one-time password; the security
            administrator grants any role afterwards.
          tags: [users]
          security:
            - bearerAuth: []
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/NewUser'
          responses:
            '201':
              description: 已创建 / Created
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/User'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '409':
              $ref: '#/components/responses/Conflict'
            '413':
              $ref: '#/components/responses/PayloadTooLarge'
            '415':
              $ref: '#/components/responses/UnsupportedMediaType'
            '422':
              $ref: '#/components/responses/UnprocessableEntity'
      /api/v1/users/{username}/password:
        parameters:
          - $ref: '#/components/parameters/Username'
        post:
          operationId: resetPassword
          summary: 重置密码 / Reset a password
          description: |
            设置一次性密码，用户下次登录前必须修改。系统管理员。
            Sets a one-time password the user must change before signing in. System administrator.
          tags: [users]
          security:
            - bearerAuth: []
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/PasswordReset'
          responses:
            '204':
              description: 已重置 / Reset
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '404':
              $ref: '#/components/responses/NotFound'
            '413':
              $ref: '#/components/responses/PayloadTooLarge'
            '415':
              $ref: '#/components/responses/UnsupportedMediaType'
            '422':
              $ref: '#/components/responses/UnprocessableEntity'
      /api/v1/users/{username}/grant:
        parameters:
          - $ref: '#/components/parameters/Username'
        post:
          operationId: grantRole
          summary: 授予角色或涉密等级 / Grant a role or clearance
          description: |
            安全保密管理员；不能给自己授权（403）。
            Security administrator; not to oneself (403).
          tags: [users]
          security:
            - bearerAuth: []
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/Grant'
          responses:
            '200':
              description: 授权后的账户 / The account after the grant
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/User'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '404':
              $ref: '#/components/responses/NotFound'
            '409':
              $ref: '#/components/responses/Conflict'
            '413':
              $ref: '#/components/responses/PayloadTooLarge'
            '415':
              $ref: '#/components/responses/UnsupportedMediaType'
            '422':
              $ref: '#/components/responses/UnprocessableEntity'
      /api/v1/users/{username}/disable:
        parameters:
          - $ref: '#/components/parameters/Username'
        post:
          operationId: disableUser
          summary: 停用账户 / Disable an account
          description: 系统管理员；该账户的令牌随即失效。/ System administrator; the account's tokens stop working.
          tags: [users]
          security:
            - bearerAuth: []
          responses:
            '204':
              description: 已停用 / Disabled
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '404':
              $ref: '#/components/responses/NotFound'
      /api/v1/audit:
        get:
          operationId: listAuditEntries
          summary: 审计日志 / Audit trail entries
          description: |
            安全审计员。按序号升序；响应带 `nextAfter` 时把它作为下一次的 `after`。
            Auditor only. In ascending sequence; when the page has `nextAfter`, pass it as `after` next time.
          tags: [audit]
          security:
            - bearerAuth: []
          parameters:
            - name: after
              in: query
              description: 只返回序号大于此值的条目 / Only entries with a greater sequence number
              schema:
                type: integer
                format: int64
                minimum: 0
                default: 0
            - name: limit
              in: query
              description: 每页条数（超出范围时取边界值）/ Page size (clamped to the range)
              schema:
                type: integer
                minimum: 1
                maximum: 1000
                default: 100
          responses:
            '200':
              description: 一页审计条目 / A page of audit entries
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/AuditPage'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
      /api/v1/audit/verify:
        get:
          operationId: verifyAuditTrail
          summary: 校验审计日志哈希链 / Verify the audit hash chain
          description: 安全审计员。/ Auditor only.
          tags: [audit]
          security:
            - bearerAuth: []
          responses:
            '200':
              description: 校验结果 / The result
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/AuditVerify'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
      /api/v1/preservation/audits:
        post:
          operationId: requestFixityAudit
          summary: 发起固定性检查 / Queue a fixity audit
          description: |
            档案管理员。把固定性检查排入后台任务：重新计算存储中每个文件（或一个对象）的 SHA-512、SHA-256 和 SM3 并与记录比对。相同的检查已在队列中时不再重复排队。请求体可省略。
            Archivists only. Queues a background audit that recomputes the SHA-512, SHA-256 and SM3 of every stored file (or of one object) and compares them with what was recorded. An identical audit already waiting is not queued twice. The body may be omitted.
          tags: [preservation]
          security:
            - bearerAuth: []
          requestBody:
            required: false
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/FixityAuditRequest'
          responses:
            '202':
              description: 已排队 / Queued
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/FixityAuditQueued'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '404':
              $ref: '#/components/responses/NotFound'
            '422':
              $ref: '#/components/responses/UnprocessableEntity'
        get:
          operationId: listFixityAudits
          summary: 固定性检查结果 / Fixity audit outcomes
          description: |
            档案管理员。每个对象每次检查一条（即 PREMIS 的 fixity check 事件），最新的在前。响应带 `nextOffset` 时把它作为下一次的 `offset`。
            Archivists only. One entry per object per audit (a PREMIS fixity check event), newest first. When the page has `nextOffset`, pass it as `offset` next time.
          tags: [preservation]
          security:
            - bearerAuth: []
          parameters:
            - name: objectId
              in: query
              description: 只看这个 OCFL 对象 / Only this OCFL object
              schema:
                type: string
            - name: outcome
              in: query
              schema:
                type: string
                enum: [pass, fail]
            - $ref: '#/components/parameters/PreservationLimit'
            - $ref: '#/components/parameters/PreservationOffset'
          responses:
            '200':
              description: 一页检查结果 / A page of outcomes
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/FixityAuditPage'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
      /api/v1/preservation/alerts:
        get:
          operationId: listPreservationAlerts
          summary: 保存告警 / Preservation alerts
          description: |
            档案管理员。未通过固定性检查的对象各有一条告警，最新的在前；默认只列未处理的（`resolved=true` 列已处理的）。
            Archivists only. One alert per object that failed a fixity audit, newest first; open ones unless `resolved=true`.
          tags: [preservation]
          security:
            - bearerAuth: []
          parameters:
            - name: objectId
              in: query
              schema:
                type: string
            - name: resolved
              in: query
              schema:
                type: boolean
                default: false
            - $ref: '#/components/parameters/PreservationLimit'
            - $ref: '#/components/parameters/PreservationOffset'
          responses:
            '200':
              description: 一页告警 / A page of alerts
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/PreservationAlertPage'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
      /api/v1/items/{id}/copies:
        parameters:
          - $ref: '#/components/parameters/ItemId'
        get:
          operationId: getItemCopies
          summary: 档案的各份副本 / A record's copies
          description: |
            档案管理员。该档案的归档信息包在每个存储位置（主存储与各副本）的副本：版本、状态、最近一次校验与固定性检查，以及复制策略（至少几份、须有异地副本）是否满足。
            Archivists only. The record's archival package at every storage location (the primary and each replica): version, status, last verification and fixity audit, and whether the replication policy (at least N copies, one off-site) is met.
          tags: [preservation]
          security:
            - bearerAuth: []
          responses:
            '200':
              description: 各份副本 / The copies
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/StorageCopies'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '404':
              $ref: '#/components/responses/NotFound'
      /api/v1/preservation/copies:
        get:
          operationId: getObjectCopies
          summary: 对象的各份副本 / An object's copies
          description: |
            档案管理员。同上，按 OCFL 对象标识查询（也适用于全宗的目录描述对象）。
            Archivists only. As above, for any OCFL object id (catalogue description objects too).
          tags: [preservation]
          security:
            - bearerAuth: []
          parameters:
            - name: object
              in: query
              required: true
              description: OCFL 对象标识 / The OCFL object id
              schema:
                type: string
          responses:
            '200':
              description: 各份副本 / The copies
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/StorageCopies'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
      /api/v1/preservation/replication:
        get:
          operationId: listStorageRuns
          summary: 复制、修复、迁移与恢复的运行记录 / Replication, repair, migration and restore runs
          description: |
            档案管理员。每次运行一条，含进度（对象数、字节数），最新的在前。状态 interrupted 表示某个存储位置不可达，位置恢复后的下一次运行会续传。
            Archivists only. One entry per run with its progress (objects, bytes), newest first. Status `interrupted` means a location could not be reached; the next run resumes once it is back.
          tags: [preservation]
          security:
            - bearerAuth: []
          parameters:
            - $ref: '#/components/parameters/PreservationLimit'
            - $ref: '#/components/parameters/PreservationOffset'
          responses:
            '200':
              description: 一页运行记录 / A page of runs
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/StorageRunPage'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
        post:
          operationId: requestReplication
          summary: 发起复制 / Queue a replication
          description: |
            档案管理员。把复制排入后台任务：主存储中每个对象（所有版本）复制到缺少其当前版本的副本位置（或只到 `location`）。相同的复制已在队列中时不再重复排队。请求体可省略。
            Archivists only. Queues a background replication of every object of the primary (all versions) to each replica location lacking its current version (or only to `location`). An identical replication already waiting is not queued twice. The body may be omitted.
          tags: [preservation]
          security:
            - bearerAuth: []
          requestBody:
            required: false
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/ReplicationRequest'
          responses:
            '202':
              description: 已排队 / Queued
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/ReplicationQueued'
            '400':
              $ref: '#/components/responses/BadRequest'
            '401':
              $ref: '#/components/responses/Unauthorized'
            '403':
              $ref: '#/components/responses/Forbidden'
            '409':
              $ref: '#/components/responses/Conflict'
            '422':
              $ref: '#/components/responses/UnprocessableEntity'
    components:
      securitySchemes:
        bearerAuth:
          type: http
          scheme: bearer
          description: 由 POST /api/v1/auth/token 签发的令牌 / A token issued by POST /api/v1/auth/token
      parameters:
        PreservationLimit:
          name: limit
          in: query
          description: 每页条数 / Page size
          schema:
            type: integer
            minimum: 1
            maximum: 500
            default: 100
        PreservationOffset:
          name: offset
          in: query
          description: 跳过的条数 / Entries to skip
          schema:
            type: integer
            minimum: 0
            default: 0
        RequestRef:
          name: ref
          in: path
          required: true
          description: 查询号 / Request reference, e.g. LY-20261127-7K3F9QD
          schema:
            type: string
        UploadId:
          name: id
          in: path
          required: true
          description: 上传编号 / Upload id
          schema:
            type: string
            format: uuid
        ItemId:
          name: id
          in: path
          required: true
          description: 条目 ID / Record ID
          schema:
            type: string
            format: uuid
        FondsId:
          name: id
          in: path
          required: true
          description: 全宗 ID / Fonds ID
          schema:
            type: string
            format: uuid
        CategoryCode:
          name: code
          in: path
          required: true
          description: 门类代码 / Category code
          schema:
            type: string
            pattern: '^[A-Z]{1,4}$'
        Username:
          name: username
          in: path
          required: true
          description: 用户名 / Username
          schema:
            type: string
      responses:
        BadRequest:
          description: 请求无效（JSON 格式、类型、未知字段、查询参数）/ Bad request (malformed JSON, wrong type, unknown field, bad query parameter)
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Error'
        Unauthorized:
          description: 需要登录或凭据错误 / Sign-in required or wrong credentials
          headers:
            WWW-Authenticate:
              schema:
                type: string
                const: Bearer
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Error'
        Forbidden:
          description: 无权操作（或须先修改一次性密码）/ Not allowed (or the one-time password must be changed first)
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Error'
        NotFound:
          description: 不存在 / Not found
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Error'
        Conflict:
          description: 与已有数据冲突或字段不能修改 / Conflicts with existing data, or the field cannot change
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Error'
        PreconditionFailed:
          description: 版本已变（If-Match 不符）/ The record changed since that version (If-Match mismatch)
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Error'
        PayloadTooLarge:
          description: 请求体过大或批次过大 / Body or batch too large
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Error'
        UnsupportedMediaType:
          description: 请使用 Content-Type application/json / Send Content-Type application/json
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Error'
        UnprocessableEntity:
          description: 校验失败，details 列出每个问题 / Validation failed; details lists every problem
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Error'
        TooManyRequests:
          description: 登录失败次数过多，稍后再试 / Too many failed sign-ins; try again later
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Error'
      schemas:
        Error:
          type: object
          required: [error]
          properties:
            error:
              type: object
              required: [code, message, messageZh, messageEn]
              properties:
                code:
                  type: string
                  description: 稳定的机器可读代码 / Stable machine-readable code (validation, not_found, forbidden, conflict, stale, unauthenticated, throttled, bad_request, too_large …)
                message:
                  type: string
                  description: “中文 / English”
                messageZh:
                  type: string
                messageEn:
                  type: string
                field:
                  type: string
                  description: 出错的字段（如 items[3].title）/ The field at fault (e.g. items[3].title)
                details:
                  type: array
                  items:
                    type: object
                    required: [field, rule, message]
                    properties:
                      field:
                        type: string
                      rule:
                        type: string
                        description: required, maxLength, vocabulary, pattern, range, date, unique, immutable, unknownField …
                      message:
                        type: string
        Retention:
          type: string
          description: 保管期限：永久、定期30年、定期10年 / Retention period
          enum: [permanent, 30y, 10y]
        Classification:
          type: string
          description: 密级：非密、秘密、机密、绝密 / Security classification
          enum: [none, confidential, secret, top-secret]
        AccessStatus:
          type: string
          description: 开放状态：未鉴定、开放、控制 / Access status
          enum: [unreviewed, open, controlled]
        Level:
          type: string
          description: 著录层级：案卷、件 / Description level
          enum: [file, item]
        Role:
          type: string
          enum: [citizen, agency-officer, archivist, appraiser, service-point, official, system-admin, security-admin, auditor]
        Item:
          type: object
          description: 案卷或文件 / A file (案卷) or item (件)
          required: [id, fondsId, fondsCode, level, archivalCode, category, title, creator, documentNumber, date, year,
            retention, organisation, pages, classification, accessStatus, carrier, subjects, notes, location, version,
            createdBy, updatedBy]
          properties:
            id:
              type: string
              format: uuid
            fondsId:
              type: string
              format: uuid
            fondsCode:
              type: string
              description: 全宗号 / Fonds number
            parentId:
              type: string
              format: uuid
              description: 所在案卷（卷内文件才有）/ The file it belongs to (only items inside a file)
            level:
              $ref: '#/components/schemas/Level'
            archivalCode:
              type: string
              description: 档号（DA/T 13）/ Archival code (DA/T 13), e.g. J012-WS·2015-Y-BGS-0001
            category:
              type: string
              pattern: '^[A-Z]{1,4}$'
              description: 门类代码 / Category code
            title:
              type: string
              maxLength: 500
            creator:
              type: string
              maxLength: 200
            documentNumber:
              type: string
              maxLength: 100
            date:
              type: string
              description: YYYY-MM-DD，或空字符串 / YYYY-MM-DD, or empty
              anyOf:
                - pattern: '^\d{4}-\d{2}-\d{2}$'
                - maxLength: 0
            year:
              type: integer
              minimum: 1000
              maximum: 2100
            retention:
              $ref: '#/components/schemas/Retention'
            organisation:
              type: string
              pattern: '^([A-Z0-9]{1,10})?$'
              description: 机构或问题代码（可为空）/ Organisation or subject code (may be empty)
            pages:
              type: integer
              minimum: 0
              maximum: 1000000
            classification:
              $ref: '#/components/schemas/Classification'
            accessStatus:
              $ref: '#/components/schemas/AccessStatus'
            carrier:
              type: string
              maxLength: 50
            subjects:
              type: array
              maxItems: 30
              items:
                type: string
                maxLength: 50
            notes:
              type: string
              maxLength: 4000
            location:
              type: string
              maxLength: 200
            version:
              type: integer
              minimum: 1
              description: 每次修改加一，用于 If-Match / Increases with each edit; send it as If-Match
            createdAt:
              type: string
              format: date-time
            updatedAt:
              type: string
              format: date-time
            createdBy:
              type: string
            updatedBy:
              type: string
        ItemInput:
          type: object
          additionalProperties: false
          description: |
            新建时 fondsId、category、title、retention 以及 year（或 date）必填；修改时只给出要改的字段，
            且不能给出 fondsId、parentId、archivalCode。词表字段也接受中文（如 永久、定期30年、秘密、开放、案卷）。
            On create, fondsId, category, title, retention and year (or date) are required; on update, send
            only the fields to change, and never fondsId, parentId or archivalCode. Vocabulary fields also
            accept the Chinese terms (永久, 定期30年, 秘密, 开放, 案卷 …).
          properties:
            fondsId:
              type: string
              format: uuid
            parentId:
              type: string
              format: uuid
              description: 所在案卷（须为同一全宗的案卷）/ The file (案卷) of the same fonds it goes into
            archivalCode:
              type: string
              description: 指定档号；省略则自动编号 / An explicit archival code; omit to number automatically
            level:
              allOf:
                - $ref: '#/components/schemas/Level'
              default: item
            category:
              type: string
              description: 门类代码或中文名（WS、文书）/ Category code or Chinese name (WS, 文书)
            title:
              type: string
              maxLength: 500
            creator:
              type: string
              maxLength: 200
            documentNumber:
              type: string
              maxLength: 100
            date:
              type: string
              description: YYYY-MM-DD（真实日期），或空字符串 / A real calendar date YYYY-MM-DD, or empty
              anyOf:
                - pattern: '^\d{4}-\d{2}-\d{2}$'
                - maxLength: 0
            year:
              type: integer
              minimum: 1000
              maximum: 2100
              description: 年度；省略时取日期的年份 / Year; taken from date when omitted
            retention:
              $ref: '#/components/schemas/Retention'
            organisation:
              type: string
              maxLength: 10
              description: 机构或问题代码，1–10 个大写字母或数字（如 BGS）/ Organisation code, 1–10 capital letters or digits (e.g. BGS)
            pages:
              type: integer
              minimum: 0
              maximum: 1000000
            classification:
              allOf:
                - $ref: '#/components/schemas/Classification'
              default: none
            accessStatus:
              allOf:
                - $ref: '#/components/schemas/AccessStatus'
              default: unreviewed
              description: 涉密档案不能为 open / A classified record cannot be open
            carrier:
              type: string
              maxLength: 50
            subjects:
              type: array
              maxItems: 30
              items:
                type: string
                maxLength: 50
            notes:
              type: string
              maxLength: 4000
            location:
              type: string
              maxLength: 200
        ItemPage:
          type: object
          required: [items]
          properties:
            items:
              type: array
              items:
                $ref: '#/components/schemas/Item'
            nextCursor:
              type: string
              description: 有下一页时出现 / Present when there is a next page
        BatchInput:
          type: object
          additionalProperties: false
          required: [items]
          properties:
            items:
              type: array
              minItems: 1
              maxItems: 5000
              items:
                $ref: '#/components/schemas/ItemInput'
        BatchResult:
          type: object
          required: [created, items]
          properties:
            created:
              type: integer
              minimum: 1
            items:
              type: array
              items:
                type: object
                required: [id, archivalCode]
                properties:
                  id:
                    type: string
                    format: uuid
                  archivalCode:
                    type: string
        FieldChange:
          type: object
          required: [field, old, new]
          properties:
            field:
              type: string
            old:
              type: string
            new:
              type: string
        HistoryEntry:
          type: object
          required: [at, actor, action, changes]
          properties:
            at:
              type: string
              format: date-time
            actor:
              type: string
            action:
              type: string
            changes:
              type: array
              items:
                $ref: '#/components/schemas/FieldChange'
        History:
          type: array
          description: 条目的修改记录 / The edits of a record
          items:
            $ref: '#/components/schemas/HistoryEntry'
        Fonds:
          type: object
          required: [id, code, name, agency, history]
          properties:
            id:
              type: string
              format: uuid
            code:
              type: string
              pattern: '^[A-Z0-9]{1,12}$'
              description: 全宗号 / Fonds number
            name:
              type: string
              description: 全宗名称 / Fonds name
            agency:
              type: string
              description: 立档单位 / Creating agency
            history:
              type: string
              description: 机构沿革 / Administrative history
            startYear:
              type: integer
            endYear:
              type: integer
        FondsInput:
          type: object
          additionalProperties: false
          description: 新建时 code、name、agency 必填；修改时不能改 code。/ code, name and agency are required on create; code cannot change.
          properties:
            code:
              type: string
              pattern: '^[A-Z0-9]{1,12}$'
            name:
              type: string
              maxLength: 200
            agency:
              type: string
              maxLength: 200
            history:
              type: string
              maxLength: 8000
            startYear:
              type: integer
              minimum: 1000
              maximum: 2100
            endYear:
              type: integer
              minimum: 1000
              maximum: 2100
        Category:
          type: object
          required: [code, nameZh, nameEn]
          properties:
            code:
              type: string
              pattern: '^[A-Z]{1,4}$'
            nameZh:
              type: string
            nameEn:
              type: string
        CategoryInput:
          type: object
          additionalProperties: false
          description: 新建时 code、nameZh 必填 / code and nameZh are required on create
          properties:
            code:
              type: string
              pattern: '^[A-Z]{1,4}$'
            nameZh:
              type: string
              maxLength: 50
            nameEn:
              type: string
              maxLength: 100
        Credentials:
          type: object
          additionalProperties: false
          required: [username, password]
          properties:
            username:
              type: string
            password:
              type: string
              format: password
            name:
              type: string
              description: 令牌名称，默认 api / A name for the token (default api)
        TokenResponse:
          type: object
          required: [token, tokenId, username, role]
          properties:
            token:
              type: string
              description: 放在 Authorization Bearer 头中 / Send as Authorization Bearer
            tokenId:
              type: string
              format: uuid
            username:
              type: string
            role:
              $ref: '#/components/schemas/Role'
        PasswordChange:
          type: object
          additionalProperties: false
          required: [username, password, newPassword]
          properties:
            username:
              type: string
            password:
              type: string
              format: password
            newPassword:
              type: string
              format: password
              minLength: 8
              maxLength: 128
        User:
          type: object
          required: [id, username, displayName, role, clearance, disabled, mustChangePassword]
          properties:
            id:
              type: string
              format: uuid
            username:
              type: string
            displayName:
              type: string
            role:
              $ref: '#/components/schemas/Role'
            agency:
              type: string
              description: 绑定的立档单位（全宗号）/ Bound agency (fonds number)
            clearance:
              $ref: '#/components/schemas/Classification'
            disabled:
              type: boolean
            mustChangePassword:
              type: boolean
        NewUser:
          type: object
          additionalProperties: false
          required: [username, password]
          properties:
            username:
              type: string
              pattern: '^[A-Za-z0-9._-]{2,64}$'
            displayName:
              type: string
            password:
              type: string
              format: password
              minLength: 8
              maxLength: 128
              description: 一次性密码 / A one-time password
        PasswordReset:
          type: object
          additionalProperties: false
          required: [password]
          properties:
            password:
              type: string
              format: password
              minLength: 8
              maxLength: 128
              description: 一次性密码 / A one-time password
        Grant:
          type: object
          additionalProperties: false
          properties:
            role:
              $ref: '#/components/schemas/Role'
            clearance:
              $ref: '#/components/schemas/Classification'
            agency:
              type: string
              description: 立档单位（全宗号），agency-officer 和 official 必填 / Agency (fonds number), required for agency-officer and official
        AuditEntry:
          type: object
          required: [seq, at, actor, action, subject, detail, hash]
          properties:
            seq:
              type: integer
              format: int64
            at:
              type: string
              format: date-time
            actor:
              type: string
            action:
              type: string
            subject:
              type: string
            detail:
              type: string
            hash:
              type: string
        AuditPage:
          type: object
          required: [entries]
          properties:
            entries:
              type: array
              items:
                $ref: '#/components/schemas/AuditEntry'
            nextAfter:
              type: integer
              format: int64
              description: 可能还有更多条目时出现 / Present when there may be more entries
        AuditVerify:
          type: object
          required: [intact]
          properties:
            intact:
              type: boolean
            entries:
              type: integer
              format: int64
              description: 完好时的条目数 / Number of entries when intact
            brokenAt:
              type: integer
              format: int64
              description: 第一个损坏条目的序号 / Sequence number of the first broken entry
            reason:
              type: string
        AccessRequest:
          type: object
          required: [reference, status, statusName, channel, purpose, overdue, deliveries]
          properties:
            reference:
              type: string
            status:
              type: string
              enum: [submitted, accepted, approved, refused, delivered, withdrawn]
            statusName:
              type: string
            channel:
              type: string
            purpose:
              type: string
            submittedAt:
              type: string
              format: date-time
            acceptedAt:
              type: string
              format: date-time
            decidedAt:
              type: string
              format: date-time
            deliveredAt:
              type: string
              format: date-time
            dueAt:
              type: string
              format: date-time
            overdue:
              type: boolean
            refusalReason:
              type: string
            requester:
              type: object
              properties:
                name:
                  type: string
                identityKind:
                  type: string
                identityMasked:
                  type: string
                contact:
                  type: string
                itemIds:
                  type: array
                  items:
                    type: string
                sought:
                  type: string
                registeredBy:
                  type: string
            deliveries:
              type: array
              items:
                type: object
                required: [fileName, url, downloadsLeft]
                properties:
                  fileName:
                    type: string
                  url:
                    type: string
                  downloadsLeft:
                    type: integer
                  expiresAt:
                    type: string
                    format: date-time
        Upload:
          type: object
          required: [id, agency, length, offset]
          properties:
            id:
              type: string
              format: uuid
            agency:
              type: string
            length:
              type: integer
              format: int64
            offset:
              type: integer
              format: int64
              description: 已收到的字节数 / Bytes received so far
            expiresAt:
              type: string
              format: date-time
        Transfer:
          type: object
          required: [id, agency, status, submittedBy, packageKind, uploadBytes, uploadSha256, progress]
          properties:
            id:
              type: string
              format: uuid
            agency:
              type: string
              description: 立档单位的全宗号 / The agency's fonds number
            status:
              type: string
              enum: [received, checking, checked, accepting, accepted, rejected]
            submittedBy:
              type: string
            receivedAt:
              type: string
              format: date-time
            packageKind:
              type: string
              enum: [zip, tar]
            decidedBy:
              type: string
              description: 接收或退回的档案管理员 / The archivist who accepted or rejected it
            decisionNote:
              type: string
              description: 退回理由 / The reason for returning it
            uploadBytes:
              type: integer
              format: int64
            uploadSha256:
              type: string
              pattern: '^[0-9a-f]{64}$'
            progress:
              type: object
              required: [filesDone, filesTotal, bytesDone, bytesTotal]
              properties:
                filesDone:
                  type: integer
                filesTotal:
                  type: integer
                bytesDone:
                  type: integer
                  format: int64
                bytesTotal:
                  type: integer
                  format: int64
        TransferReport:
          type: object
          required: [passed]
          properties:
            passed:
              type: boolean
              description: 无不通过项 / No check item failed
            refusal:
              type: object
              description: 无法安全解包时的拒绝理由 / Why the package could not be unpacked safely
              properties:
                code:
                  type: string
                reasonZh:
                  type: string
                reasonEn:
                  type: string
            report:
              type: object
              description: 检测项、文件与著录 / Check items, files and records
              properties:
                items:
                  type: array
                  items:
                    type: object
                    properties:
                      id:
                        type: string
                      property:
                        type: string
                        enum: [authenticity, integrity, usability, security]
                      status:
                        type: string
                        enum: [pass, warning, fail]
                      nameZh:
                        type: string
                      nameEn:
                        type: string
                      findings:
                        type: array
                        items:
                          type: object
                          properties:
                            status:
                              type: string
                            path:
                              type: string
                            row:
                              type: integer
                            field:
                              type: string
                            code:
                              type: string
                            reasonZh:
                              type: string
                            reasonEn:
                              type: string
                files:
                  type: array
                  items:
                    type: object
                records:
                  type: array
                  items:
                    type: object
        Health:
          type: object
          required: [status]
          properties:
            status:
              type: string
              const: ok
        FixityAuditRequest:
          type: object
          additionalProperties: false
          properties:
            objectId:
              type: string
              description: 只检查这个 OCFL 对象（如 info:lantai/节点/档号）；省略则检查全部 / Only this OCFL object; all when omitted
            throttle:
              type: number
              exclusiveMinimum: 0
              maximum: 100000
              description: 读取速度上限（MiB/s）/ Read at most this many MiB per second
        FixityAuditQueued:
          type: object
          required: [jobId, status, alreadyQueued]
          properties:
            jobId:
              type: string
              format: uuid
            status:
              type: string
              const: queued
            alreadyQueued:
              type: boolean
              description: 相同的检查已在队列中 / The same audit was already waiting
            objectId:
              type: string
            throttle:
              type: number
        FixityFailure:
          type: object
          required: [path, logicalPaths, problem, digests, detail]
          properties:
            path:
              type: string
              description: 对象内的内容路径，或 inventory.json；空表示整个对象 / Content path in the object, or inventory.json; empty for the whole object
            logicalPaths:
              type: array
              items:
                type: string
            problem:
              type: string
              enum: [missing, mismatch, unreadable, inventory]
            digests:
              type: array
              items:
                type: object
                required: [algorithm, expected, actual]
                properties:
                  algorithm:
                    type: string
                    examples: [sha512, sha256, sm3]
                  expected:
                    type: string
                  actual:
                    type: string
            detail:
              type: string
        FixityAudit:
          type: object
          required: [id, runId, eventType, objectId, location, startedAt, finishedAt, outcome, filesChecked, bytesChecked, failures, warnings, agent]
          properties:
            id:
              type: string
              format: uuid
              description: PREMIS eventIdentifier
            runId:
              type: string
              format: uuid
            eventType:
              type: string
              const: fixity check
            objectId:
              type: string
            location:
              type: string
              description: 被检查的副本 / The copy checked (primary …)
            startedAt:
              type: string
              format: date-time
            finishedAt:
              type: string
              format: date-time
            outcome:
              type: string
              enum: [pass, fail]
            filesChecked:
              type: integer
            bytesChecked:
              type: integer
              format: int64
            failures:
              type: array
              items:
                $ref: '#/components/schemas/FixityFailure'
            warnings:
              type: array
              items:
                type: string
            agent:
              type: string
        FixityAuditPage:
          type: object
          required: [audits]
          properties:
            audits:
              type: array
              items:
                $ref: '#/components/schemas/FixityAudit'
            nextOffset:
              type: integer
        PreservationAlert:
          type: object
          required: [id, createdAt, kind, objectId, location, message, messageZh, messageEn]
          properties:
            id:
              type: string
              format: uuid
            createdAt:
              type: string
              format: date-time
            kind:
              type: string
              description: fixity（固定性检查未通过）、copies（副本不一致或无法修复）/ fixity (a failed audit), copies (copies disagree or could not be mended)
              examples: [fixity, copies]
            objectId:
              type: string
            location:
              type: string
            auditId:
              type: string
              format: uuid
            message:
              type: string
            messageZh:
              type: string
            messageEn:
              type: string
            resolvedAt:
              type: string
              format: date-time
            resolvedBy:
              type: string
        PreservationAlertPage:
          type: object
          required: [alerts]
          properties:
            alerts:
              type: array
              items:
                $ref: '#/components/schemas/PreservationAlert'
            nextOffset:
              type: integer
        StorageCopies:
          type: object
          required: [objectId, policy, copies]
          properties:
            objectId:
              type: string
            itemId:
              type: string
              format: uuid
            fonds:
              type: string
            policy:
              $ref: '#/components/schemas/StoragePolicy'
            copies:
              type: array
              items:
                $ref: '#/components/schemas/StorageCopy'
        StorageCopy:
          type: object
          required: [location, kind, offsite, configured, status]
          properties:
            location:
              type: string
              description: primary，或 LANTAI_REPLICA_URLS 中的名称 / primary, or a name from LANTAI_REPLICA_URLS
            kind:
              type: string
              enum: [directory, s3, unknown]
            offsite:
              type: boolean
            configured:
              type: boolean
              description: 该位置仍在节点配置中 / The location is still in the node's configuration
            version:
              type: integer
              description: 该副本的最新版本号 / The head version number of this copy
            status:
              type: string
              enum: [current, behind, damaged, diverged, unreachable, unknown]
            checkedAt:
              type: string
              format: date-time
            copiedAt:
              type: string
              format: date-time
            verifiedAt:
              type: string
              format: date-time
              description: 最近一次逐个文件读回并核对摘要的时间 / When every file was last read back and matched its digest
            lastAudit:
              type: object
              required: [outcome, at, runId]
              properties:
                outcome:
                  type: string
                  enum: [pass, fail]
                at:
                  type: string
                  format: date-time
                runId:
                  type: string
                  format: uuid
            detail:
              type: string
        StoragePolicy:
          type: object
          required: [minCopies, offsiteRequired, currentCopies, offsiteCopies, met, problems]
          properties:
            minCopies:
              type: integer
            offsiteRequired:
              type: boolean
            currentCopies:
              type: integer
            offsiteCopies:
              type: integer
            met:
              type: boolean
            problems:
              type: array
              items:
                type: string
        StorageRun:
          type: object
          required: [id, kind, status, locations, objectsDone, objectsTotal, bytesDone, bytesTotal, filesCopied, failures, startedAt, updatedAt, message, agent]
          properties:
            id:
              type: string
              format: uuid
            kind:
              type: string
              enum: [replicate, repair, restore, migrate]
            status:
              type: string
              enum: [running, interrupted, done, failed]
            locations:
              type: array
              items:
                type: string
            objectsDone:
              type: integer
            objectsTotal:
              type: integer
            bytesDone:
              type: integer
              format: int64
            bytesTotal:
              type: integer
              format: int64
            filesCopied:
              type: integer
            failures:
              type: integer
            startedAt:
              type: string
              format: date-time
            updatedAt:
              type: string
              format: date-time
            finishedAt:
              type: string
              format: date-time
            message:
              type: string
            agent:
              type: string
        StorageRunPage:
          type: object
          required: [runs]
          properties:
            runs:
              type: array
              items:
                $ref: '#/components/schemas/StorageRun'
            nextOffset:
              type: integer
        ReplicationRequest:
          type: object
          additionalProperties: false
          properties:
            location:
              type: string
              description: 只复制到这个副本位置 / Only to this replica location
        ReplicationQueued:
          type: object
          required: [jobId, status, alreadyQueued]
          properties:
            jobId:
              type: string
              format: uuid
            status:
              type: string
              const: queued
            alreadyQueued:
              type: boolean
            location:
              type: string
    """#
}

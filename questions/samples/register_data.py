"""The starter file of the register of documents (questions/samples/so_van_ban_can_cu.xlsx and
.csv): only documents whose number, date and status public material states, each with the
source of its status, as of the dates of those sources. A document whose status no public source
at hand confirms is not in it (see README, «Sổ văn bản căn cứ»).

Columns as ``questions/register.py`` reads them: symbol, kind, title, date of issue, issuing
body, status, successor, from, source.
"""

from __future__ import annotations

from typing import Final

_CHARTER_SOURCE: Final = (
    "Thông tấn xã Việt Nam (nvsk.vnanet.vn, «Đại hội Đảng lần thứ XI (12 – 19/01/2011)»): Đại "
    "hội XI họp từ 12 đến 19/01/2011; aseanvietnam.vn: Đại hội XI thông qua Điều lệ Đảng (bổ "
    "sung, sửa đổi); Báo Thanh Niên 07/02/2026 (thanhnien.vn, «10 nội dung tập trung nghiên "
    "cứu sửa Điều lệ Đảng»): Đại hội XIV thông qua Báo cáo tổng kết 15 năm thi hành Điều lệ "
    "Đảng (2011 – 2025) và xác định bổ sung, sửa đổi Điều lệ Đảng tại Đại hội XV (2030)."
)
_QD24_SOURCE: Final = (
    "thuviennhadat.vn (Quy định 24-QĐ/TW năm 2021 về thi hành Điều lệ Đảng: số hiệu 24-QĐ/TW, "
    "ban hành 30/07/2021, Ban Chấp hành Trung ương); vietnam.vn «Những điểm mới trong Quy định "
    "thi hành Điều lệ Đảng»: ngày 20/01/2025 Ban Chấp hành Trung ương ban hành Quy định "
    "232-QĐ/TW về thi hành Điều lệ Đảng, có hiệu lực từ ngày ký, các quy định trước đây trái "
    "với Quy định này đều bãi bỏ, và so sánh từng điểm với Quy định 24-QĐ/TW năm 2021."
)
_QD294_SOURCE: Final = (
    "Cục Quản lý thi hành án dân sự, Bộ Tư pháp (thads.moj.gov.vn, 04/06/2025): «Quy định số "
    "294-QĐ/TW năm 2025 về thi hành Điều lệ Đảng do Ban Chấp hành Trung ương ban hành có hiệu "
    "lực từ ngày 01/7/2025», ký ngày 26/5/2025, nêu những điểm khác «so với Quy định số "
    "232-QĐ/TW năm 2025»; Báo Dân trí 02/06/2025 (dantri.com.vn, «Tổng Bí thư Tô Lâm ký ban "
    "hành quy định mới về thi hành Điều lệ Đảng»)."
)
_LAW_SOURCE: Final = (
    "thuvienphapluat.vn (Luật Cán bộ, công chức 2025 số 80/2025/QH15: Quốc hội, ban hành "
    "24/06/2025, hiệu lực từ 01/7/2025, riêng quy định về đánh giá công chức tại Mục 3 Chương IV "
    "từ 01/01/2026); hethongphapluat.com (Luật Cán bộ, công chức năm 2025, Chương 7: «Luật này "
    "có hiệu lực thi hành từ ngày 01 tháng 7 năm 2025»); họp báo công bố Lệnh của Chủ tịch nước "
    "công bố luật (Văn phòng Chủ tịch nước)."
)

# (Ký hiệu, Loại văn bản, Trích yếu, Ngày ban hành, Cơ quan ban hành, Tình trạng,
#  Văn bản thay thế, sửa đổi, Từ ngày, Nguồn)
STARTER: Final[list[list[str]]] = [
    [
        "Điều lệ Đảng",
        "Điều lệ",
        "Điều lệ Đảng Cộng sản Việt Nam (Đại hội đại biểu toàn quốc lần thứ XI thông qua)",
        "19/01/2011",
        "Đại hội đại biểu toàn quốc lần thứ XI của Đảng",
        "Còn hiệu lực",
        "",
        "",
        _CHARTER_SOURCE,
    ],
    [
        "24-QĐ/TW",
        "Quy định",
        "Quy định về thi hành Điều lệ Đảng",
        "30/07/2021",
        "Ban Chấp hành Trung ương",
        "Được thay thế",
        "232-QĐ/TW",
        "20/01/2025",
        _QD24_SOURCE,
    ],
    [
        "232-QĐ/TW",
        "Quy định",
        "Quy định về thi hành Điều lệ Đảng",
        "20/01/2025",
        "Ban Chấp hành Trung ương",
        "Được thay thế",
        "294-QĐ/TW",
        "01/07/2025",
        _QD294_SOURCE,
    ],
    [
        "294-QĐ/TW",
        "Quy định",
        "Quy định về thi hành Điều lệ Đảng",
        "26/05/2025",
        "Ban Chấp hành Trung ương",
        "Còn hiệu lực",
        "",
        "01/07/2025",
        _QD294_SOURCE,
    ],
    [
        "80/2025/QH15",
        "Luật",
        "Luật Cán bộ, công chức",
        "24/06/2025",
        "Quốc hội",
        "Còn hiệu lực",
        "",
        "01/07/2025",
        _LAW_SOURCE,
    ],
]

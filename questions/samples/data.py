"""Sample questions shipped with the project (questions/samples/cau_hoi_mau.xlsx and .csv).

The situations are typical of grassroots Party-building organizational work; every unit named is
fictional. References cite only documents in force whose number and date are certain (the
register's starter file, questions/samples/so_van_ban_can_cu.csv, names the source of each
status), without an article number the text of the document would have to confirm, or are left
empty. Suggested answers are samples for the department head and the board leader: the official
answer is always the leader's conclusion, checked against the documents in force.
"""

from __future__ import annotations

from typing import Final

from questions.model import QuestionDraft

_DIEU_LE: Final = "Điều lệ Đảng"
# In force from 01/7/2025, after Quy định số 232-QĐ/TW (20/01/2025), which replaced Quy định số
# 24-QĐ/TW (30/7/2021): see the starter file of the register for the sources.
_QD_294: Final = "Quy định số 294-QĐ/TW ngày 26/5/2025 về thi hành Điều lệ Đảng"
_ALL_THREE: Final = f"{_DIEU_LE}; {_QD_294}"
_QD_HD: Final = _QD_294

SAMPLE_QUESTIONS: Final[list[QuestionDraft]] = [
    # --- Đảng viên: kết nạp ---------------------------------------------------------------
    QuestionDraft(
        text=(
            "Quần chúng ưu tú đã có giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng từ lâu. "
            "Đến khi chi bộ họp xét đề nghị kết nạp thì giấy chứng nhận đã quá thời hạn sử dụng. "
            "Chi bộ có phải đề nghị quần chúng học lại lớp bồi dưỡng không?"
        ),
        topic="Đảng viên",
        source_unit="Chi bộ Thôn 3, xã A",
        legal_refs=_QD_HD,
        suggested_answer=(
            "Gợi ý tham khảo: Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng chỉ có giá trị "
            "trong thời hạn do hướng dẫn thi hành Điều lệ Đảng quy định. Khi đã quá thời hạn thì "
            "quần chúng phải học lại và có giấy chứng nhận mới trước khi chi bộ xét, đề nghị kết "
            "nạp. Người trả lời cần nêu đúng thời hạn theo văn bản còn hiệu lực."
        ),
    ),
    QuestionDraft(
        text=(
            "Một trong hai đảng viên giới thiệu quần chúng vào Đảng được điều động sang đơn vị "
            "khác trước khi chi bộ họp xét kết nạp. Chi bộ xử lý việc giới thiệu này như thế nào?"
        ),
        topic="Đảng viên",
        source_unit="Chi bộ Trường Trung học cơ sở xã B",
        legal_refs=_ALL_THREE,
        suggested_answer=(
            "Gợi ý tham khảo: Theo Điều lệ Đảng, người giới thiệu phải là đảng viên chính thức và "
            "cùng công tác với người xin vào Đảng ít nhất mười hai tháng. Khi người giới thiệu "
            "chuyển đi, chi bộ cần phân công đảng viên chính thức khác đủ điều kiện để giới thiệu "
            "và tiếp tục giúp đỡ quần chúng; trình tự cụ thể thực hiện theo hướng dẫn thi hành "
            "Điều lệ Đảng."
        ),
    ),
    QuestionDraft(
        text=(
            "Học sinh lớp 12 được chi bộ nhà trường bồi dưỡng, đề nghị kết nạp vào Đảng, nhưng "
            "tại thời điểm chi bộ họp xét em còn thiếu hai tháng nữa mới đủ 18 tuổi. Chi bộ có "
            "được xét đề nghị kết nạp không? Tuổi đời của người vào Đảng được tính như thế nào?"
        ),
        topic="Đảng viên",
        source_unit="Chi bộ Trường Trung học phổ thông C",
        legal_refs=_ALL_THREE,
        suggested_answer=(
            "Gợi ý tham khảo: Điều lệ Đảng quy định người vào Đảng phải từ mười tám tuổi trở lên. "
            "Cách tính tuổi đời (theo tháng) và mốc thời điểm phải đủ tuổi được hướng dẫn trong "
            "văn bản thi hành Điều lệ Đảng; chi bộ chỉ xét khi quần chúng đã đủ tuổi theo hướng "
            "dẫn đó."
        ),
    ),
    QuestionDraft(
        text=(
            "Công nhân làm việc tại một doanh nghiệp tư nhân chưa có tổ chức đảng có nguyện vọng "
            "vào Đảng. Việc bồi dưỡng, giới thiệu và xem xét kết nạp do tổ chức đảng nào thực hiện?"
        ),
        topic="Đảng viên",
        source_unit="Đảng ủy xã D",
        legal_refs=_QD_HD,
        suggested_answer=(
            "Gợi ý tham khảo: Cấp ủy cấp trên cần phân công tổ chức đảng và đảng viên phù hợp theo "
            "dõi, bồi dưỡng, giới thiệu quần chúng ở nơi chưa có tổ chức đảng. Thẩm quyền và "
            "trình tự kết nạp trong trường hợp này thực hiện theo hướng dẫn thi hành Điều lệ Đảng; "
            "người trả lời cần dẫn đúng nội dung của văn bản."
        ),
    ),
    # --- Đảng viên: dự bị, tuổi đảng ---------------------------------------------------------
    QuestionDraft(
        text=(
            "Đảng viên dự bị được điều động công tác sang cơ quan khác khi còn hai tháng nữa hết "
            "thời kỳ dự bị. Chi bộ nào có trách nhiệm xét, đề nghị công nhận đảng viên chính thức?"
        ),
        topic="Đảng viên",
        source_unit="Chi bộ Văn phòng Ủy ban nhân dân xã E",
        legal_refs=_ALL_THREE,
        suggested_answer=(
            "Gợi ý tham khảo: Thời kỳ dự bị là mười hai tháng. Việc xét công nhận chính thức do "
            "chi bộ nơi đảng viên đang sinh hoạt khi hết thời kỳ dự bị thực hiện; chi bộ nơi "
            "đảng viên chuyển đi cần có nhận xét về quá trình rèn luyện trong thời gian đảng viên "
            "sinh hoạt tại chi bộ mình. Người trả lời cần dẫn nội dung tương ứng trong hướng dẫn "
            "thi hành Điều lệ Đảng."
        ),
    ),
    QuestionDraft(
        text=(
            "Trong cuộc họp chi bộ xét đề nghị kết nạp đảng viên mới, đảng viên dự bị có được "
            "biểu quyết không? Đảng viên dự bị có được làm người giới thiệu quần chúng vào Đảng "
            "không?"
        ),
        topic="Đảng viên",
        source_unit="Chi bộ Khu phố 2, phường F",
        legal_refs=_DIEU_LE,
        suggested_answer=(
            "Gợi ý tham khảo: Theo Điều lệ Đảng, đảng viên dự bị có nhiệm vụ và quyền như đảng "
            "viên chính thức, trừ quyền biểu quyết, ứng cử và bầu cử cơ quan lãnh đạo của Đảng. "
            "Vì vậy đảng viên dự bị không biểu quyết khi chi bộ xét kết nạp; người giới thiệu "
            "phải là đảng viên chính thức nên đảng viên dự bị cũng chưa được giới thiệu quần "
            "chúng vào Đảng."
        ),
    ),
    QuestionDraft(
        text=(
            "Một đảng viên được kết nạp năm 1995, năm 2003 bị xóa tên, năm 2010 được kết nạp lại. "
            "Khi xét tặng Huy hiệu Đảng, tuổi đảng của đồng chí được tính như thế nào?"
        ),
        topic="Đảng viên",
        source_unit="Chi bộ Thôn Đông, xã G",
        legal_refs=_ALL_THREE,
        suggested_answer=(
            "Gợi ý tham khảo: Cần phân biệt trường hợp kết nạp lại với trường hợp khôi phục đảng "
            "tịch, vì cách tính tuổi đảng của hai trường hợp khác nhau. Việc tính tuổi đảng của "
            "đảng viên kết nạp lại (có trừ thời gian gián đoạn hay không) phải căn cứ quy định "
            "và hướng dẫn thi hành Điều lệ Đảng; người trả lời cần trích dẫn đúng điểm, khoản "
            "áp dụng."
        ),
    ),
    # --- Đảng viên: chuyển sinh hoạt, xóa tên, miễn sinh hoạt -----------------------------------
    QuestionDraft(
        text=(
            "Đảng viên là công nhân đi làm việc theo hợp đồng có thời hạn khoảng 8 tháng tại một "
            "khu công nghiệp ở tỉnh khác. Chi bộ nên giới thiệu chuyển sinh hoạt đảng tạm thời "
            "hay chính thức? Hồ sơ đảng viên do đâu quản lý trong thời gian này?"
        ),
        topic="Đảng viên",
        source_unit="Chi bộ Thôn 5, xã H",
        legal_refs=_QD_HD,
        suggested_answer=(
            "Gợi ý tham khảo: Đảng viên đi làm việc có thời hạn ở nơi khác thì thường thực hiện "
            "chuyển sinh hoạt đảng tạm thời; hồ sơ đảng viên vẫn do đảng bộ nơi đảng viên sinh "
            "hoạt chính thức quản lý. Điều kiện về thời gian và thủ tục cụ thể cần đối chiếu "
            "quy định và hướng dẫn thi hành Điều lệ Đảng."
        ),
    ),
    QuestionDraft(
        text=(
            "Đảng viên nghỉ hưu đã được giới thiệu chuyển sinh hoạt đảng chính thức về nơi cư "
            "trú nhưng để quá hạn mới nộp giấy giới thiệu và hồ sơ cho chi bộ nơi đến. Chi bộ nơi "
            "đến có tiếp nhận không và xử lý thế nào?"
        ),
        topic="Đảng viên",
        source_unit="Chi bộ Tổ dân phố 7, phường K",
        legal_refs=_QD_HD,
        suggested_answer=(
            "Gợi ý tham khảo: Trước hết cần làm rõ việc chậm nộp có lý do chính đáng hay không. "
            "Cách xử lý trường hợp quá hạn (kiểm điểm, xem xét kỷ luật hoặc xóa tên) thực hiện "
            "theo hướng dẫn về chuyển sinh hoạt đảng; chi bộ báo cáo cấp ủy cấp trên để được "
            "hướng dẫn, không tự ý từ chối tiếp nhận."
        ),
    ),
    QuestionDraft(
        text=(
            "Đảng viên đi lao động ở nước ngoài nhưng không làm thủ tục chuyển sinh hoạt đảng, "
            "đã 5 tháng không sinh hoạt và không đóng đảng phí; gia đình cho biết vẫn liên lạc "
            "được. Chi bộ đã có đủ căn cứ đề nghị xóa tên đảng viên này chưa?"
        ),
        topic="Đảng viên",
        source_unit="Chi bộ Thôn Bắc, xã L",
        legal_refs=_ALL_THREE,
        suggested_answer=(
            "Gợi ý tham khảo: Theo Điều lệ Đảng, đảng viên bỏ sinh hoạt đảng hoặc không đóng đảng "
            "phí ba tháng trong năm mà không có lý do chính đáng thì chi bộ xem xét, đề nghị lên "
            "cấp ủy có thẩm quyền xóa tên trong danh sách đảng viên. Chi bộ cần liên hệ, làm rõ "
            "lý do, ghi biên bản và báo cáo cấp ủy cấp trên trước khi biểu quyết."
        ),
    ),
    QuestionDraft(
        text=(
            "Đảng viên 78 tuổi, sức khỏe yếu, có đơn xin miễn sinh hoạt đảng. Ai xem xét, quyết "
            "định? Đảng viên được miễn sinh hoạt có còn phải đóng đảng phí và có được dự đại hội "
            "chi bộ không?"
        ),
        topic="Đảng viên",
        source_unit="Chi bộ Khu dân cư số 4, phường M",
        legal_refs=_ALL_THREE,
        suggested_answer=(
            "Gợi ý tham khảo: Đảng viên tuổi cao, sức khỏe yếu tự nguyện làm đơn thì chi bộ xem "
            "xét, quyết định việc giảm, miễn công tác và sinh hoạt đảng. Quyền và nghĩa vụ của "
            "đảng viên được miễn sinh hoạt (đóng đảng phí, dự đại hội, kiểm điểm) cần trả lời theo "
            "đúng quy định và hướng dẫn thi hành Điều lệ Đảng."
        ),
    ),
    QuestionDraft(
        text=(
            "Đảng viên làm mất thẻ đảng viên do nhà bị lũ cuốn trôi. Đảng viên có phải kiểm điểm "
            "không, và thủ tục đề nghị cấp lại thẻ đảng viên như thế nào?"
        ),
        topic="Đảng viên",
        source_unit="Chi bộ Bản 2, xã N",
        legal_refs=None,
        suggested_answer=(
            "Gợi ý tham khảo: Đảng viên làm mất thẻ phải báo cáo ngay với chi bộ. Trường hợp mất "
            "do nguyên nhân khách quan như thiên tai, chi bộ xem xét, xác nhận hoàn cảnh cụ thể "
            "khi đề nghị cấp lại. Thủ tục cấp lại thẻ thực hiện theo hướng dẫn hiện hành về cấp "
            "và quản lý thẻ đảng viên."
        ),
    ),
    QuestionDraft(
        text=(
            "Đảng viên mới được kết nạp vào tháng 11 thì cuối năm có phải kiểm điểm, đánh giá, "
            "xếp loại chất lượng đảng viên không? Nếu có thì xếp loại dựa trên những tiêu chí nào?"
        ),
        topic="Đảng viên",
        source_unit="Chi bộ Công ty cổ phần P",
        legal_refs=None,
        suggested_answer=(
            "Gợi ý tham khảo: Với đảng viên có thời gian sinh hoạt ngắn trong năm (mới kết nạp, "
            "mới chuyển đến), việc có kiểm điểm, xếp loại hay không và cách đánh giá phải theo "
            "hướng dẫn kiểm điểm, đánh giá, xếp loại chất lượng hằng năm còn hiệu lực; người trả "
            "lời cần dẫn đúng văn bản áp dụng cho năm đánh giá."
        ),
    ),
    # --- Tổ chức cơ sở đảng ------------------------------------------------------------------
    QuestionDraft(
        text=(
            "Một doanh nghiệp mới có 2 đảng viên chính thức và 1 đảng viên dự bị. Đơn vị đã đủ "
            "điều kiện thành lập tổ chức đảng chưa? Nếu chưa thì các đảng viên sinh hoạt ở đâu?"
        ),
        topic="Tổ chức cơ sở đảng",
        source_unit="Đảng ủy xã Q",
        legal_refs=_DIEU_LE,
        suggested_answer=(
            "Gợi ý tham khảo: Theo Điều lệ Đảng, đơn vị có từ ba đảng viên chính thức trở lên thì "
            "được lập tổ chức đảng; đảng viên dự bị không được tính vào số này. Khi chưa "
            "đủ ba đảng viên chính thức, cấp ủy cấp trên trực tiếp giới thiệu đảng viên sinh hoạt "
            "ở tổ chức cơ sở đảng thích hợp."
        ),
    ),
    QuestionDraft(
        text=(
            "Chi bộ có 8 đảng viên chính thức và 2 đảng viên dự bị. Tại đại hội nhiệm kỳ này, chi "
            "bộ được bầu chi ủy hay chỉ bầu bí thư, phó bí thư?"
        ),
        topic="Tổ chức cơ sở đảng",
        source_unit="Chi bộ Thôn 1, xã R",
        legal_refs=_DIEU_LE,
        suggested_answer=(
            "Gợi ý tham khảo: Điều lệ Đảng căn cứ số đảng viên chính thức để xác định chi bộ bầu "
            "chi ủy hay bầu bí thư: chi bộ có dưới chín đảng viên chính thức thì bầu bí thư, nếu "
            "cần thì bầu phó bí thư; từ chín đảng viên chính thức trở lên thì bầu chi ủy. Với 8 "
            "đảng viên chính thức, chi bộ bầu bí thư và có thể bầu phó bí thư."
        ),
    ),
    QuestionDraft(
        text=(
            "Chi bộ cơ sở hiện có 32 đảng viên. Có nên đề nghị nâng lên thành đảng bộ cơ sở và "
            "lập các chi bộ trực thuộc không? Trình tự đề nghị như thế nào?"
        ),
        topic="Tổ chức cơ sở đảng",
        source_unit="Chi bộ Trung tâm Y tế S",
        legal_refs=_ALL_THREE,
        suggested_answer=(
            "Gợi ý tham khảo: Theo Điều lệ Đảng, tổ chức cơ sở đảng có từ ba mươi đảng viên trở "
            "lên thì lập đảng bộ cơ sở, có các chi bộ trực thuộc đảng ủy. Chi bộ báo cáo, đề nghị "
            "cấp ủy cấp trên trực tiếp xem xét, quyết định; việc chia chi bộ trực thuộc cần căn cứ "
            "đặc điểm nhiệm vụ, tổ chức của đơn vị."
        ),
    ),
    QuestionDraft(
        text=(
            "Hai thôn sáp nhập thành một thôn mới, mỗi thôn trước đây có một chi bộ. Sau sáp "
            "nhập, chi bộ mới do cấp ủy cấp trên chỉ định cấp ủy hay phải tổ chức đại hội ngay?"
        ),
        topic="Tổ chức cơ sở đảng",
        source_unit="Đảng ủy xã T",
        legal_refs=_ALL_THREE,
        suggested_answer=(
            "Gợi ý tham khảo: Khi hợp nhất, sáp nhập tổ chức đảng, cấp ủy có thẩm quyền quyết "
            "định thành lập chi bộ mới và chỉ định cấp ủy (bí thư, phó bí thư) để lãnh đạo cho "
            "đến đại hội. Trình tự, thời hạn cụ thể thực hiện theo quy định và hướng dẫn thi hành "
            "Điều lệ Đảng."
        ),
    ),
    QuestionDraft(
        text=(
            "Tại đại hội chi bộ, một đồng chí có số phiếu bầu đúng bằng một nửa số đảng viên "
            "chính thức được triệu tập. Đồng chí đó có trúng cử không?"
        ),
        topic="Tổ chức cơ sở đảng",
        source_unit="Chi bộ Khu phố 5, phường U",
        legal_refs=None,
        suggested_answer=(
            "Gợi ý tham khảo: Người trúng cử phải có số phiếu bầu quá một nửa so với tổng số "
            "đảng viên chính thức (hoặc đại biểu) được triệu tập; số phiếu đúng bằng một nửa thì "
            "chưa trúng cử. Người trả lời cần nêu cách xác định số được triệu tập theo quy chế "
            "bầu cử trong Đảng hiện hành."
        ),
    ),
    # --- Cán bộ ------------------------------------------------------------------------------
    QuestionDraft(
        text=(
            "Cán bộ trong quy hoạch chức danh phó chủ tịch Ủy ban nhân dân xã bị kỷ luật khiển "
            "trách về Đảng. Có phải đưa đồng chí này ra khỏi quy hoạch không?"
        ),
        topic="Cán bộ",
        source_unit="Đảng ủy xã V",
        legal_refs=None,
        suggested_answer=(
            "Gợi ý tham khảo: Việc đưa ra khỏi quy hoạch đối với cán bộ bị kỷ luật thực hiện theo "
            "quy định hiện hành của Trung ương về công tác quy hoạch cán bộ. Người trả lời cần "
            "xác định hình thức, thời điểm kỷ luật và dẫn đúng văn bản áp dụng."
        ),
    ),
    QuestionDraft(
        text=(
            "Cán bộ đang trong thời gian cơ quan có thẩm quyền xem xét, giải quyết đơn tố cáo có "
            "được đưa vào danh sách đề nghị bổ nhiệm không?"
        ),
        topic="Cán bộ",
        source_unit="Chi bộ Phòng Kinh tế, xã X",
        legal_refs=None,
        suggested_answer=None,
    ),
    # --- Bảo vệ chính trị nội bộ ---------------------------------------------------------------
    QuestionDraft(
        text=(
            "Quần chúng đề nghị kết nạp có bố đẻ đang định cư ở nước ngoài, thường xuyên về thăm "
            "quê. Khi thẩm tra lý lịch, chi bộ cần làm rõ những nội dung gì về tiêu chuẩn chính "
            "trị?"
        ),
        topic="Bảo vệ chính trị nội bộ",
        source_unit="Chi bộ Thôn Tây, xã Y",
        legal_refs=None,
        suggested_answer=(
            "Gợi ý tham khảo: Chi bộ thẩm tra, xác minh lý lịch của người vào Đảng và những người "
            "thân có liên quan; làm rõ quan hệ, hoạt động của người thân ở nước ngoài và ảnh hưởng "
            "(nếu có) đối với người vào Đảng. Tiêu chuẩn chính trị cụ thể thực hiện theo quy định "
            "của Bộ Chính trị; người trả lời cần dẫn đúng văn bản hiện hành."
        ),
    ),
    QuestionDraft(
        text=(
            "Đảng viên chia sẻ trên mạng xã hội thông tin chưa được kiểm chứng về công tác nhân "
            "sự của địa phương. Chi bộ cần xử lý như thế nào?"
        ),
        topic="Bảo vệ chính trị nội bộ",
        source_unit="Chi bộ Tổ dân phố 3, phường Z",
        legal_refs=None,
        suggested_answer=(
            "Gợi ý tham khảo: Chi bộ gặp gỡ, nhắc nhở, yêu cầu đảng viên gỡ bỏ thông tin, báo cáo "
            "giải trình và kiểm điểm trước chi bộ; tùy tính chất, mức độ vi phạm thì báo cáo cấp "
            "ủy cấp trên xem xét, xử lý theo quy định của Đảng. Đồng thời cần quán triệt cho đảng "
            "viên việc phát ngôn, chia sẻ thông tin trên mạng xã hội."
        ),
    ),
    # --- Chính sách cán bộ, tổ chức bộ máy, chung ------------------------------------------------
    QuestionDraft(
        text=(
            "Cán bộ, công chức cấp xã dôi dư sau sắp xếp tổ chức bộ máy có nguyện vọng nghỉ việc "
            "trước tuổi. Cơ quan nào tham mưu giải quyết chính sách, và hồ sơ đề nghị cần những "
            "gì?"
        ),
        topic="Chính sách cán bộ",
        source_unit="Đảng ủy xã A1",
        legal_refs=None,
        suggested_answer=(
            "Gợi ý tham khảo: Người trả lời cần xác định đúng văn bản về chính sách đối với cán "
            "bộ, công chức trong thực hiện sắp xếp tổ chức bộ máy còn hiệu lực và văn bản hướng "
            "dẫn của địa phương, từ đó nêu cơ quan tham mưu, đối tượng, điều kiện và thành phần "
            "hồ sơ."
        ),
    ),
    QuestionDraft(
        text=(
            "Sau khi sắp xếp đơn vị hành chính, đảng ủy xã mới có nhiều chi bộ thôn trùng tên. "
            "Việc đổi tên chi bộ trực thuộc do cấp nào quyết định và có phải điều chỉnh hồ sơ "
            "đảng viên không?"
        ),
        topic="Tổ chức bộ máy",
        source_unit="Đảng ủy xã B1",
        legal_refs=None,
        suggested_answer=None,
    ),
    QuestionDraft(
        text=(
            "Biên bản sinh hoạt chi bộ có bắt buộc ghi kết quả biểu quyết của từng nội dung "
            "không? Nghị quyết chi bộ hằng tháng nên viết thế nào để ngắn gọn, sát thực tế?"
        ),
        topic="Chung",
        source_unit="Chi bộ Thôn 6, xã C1",
        legal_refs=None,
        suggested_answer=(
            "Gợi ý tham khảo: Biên bản cần ghi trung thực diễn biến, ý kiến phát biểu và kết quả "
            "biểu quyết đối với các nội dung chi bộ phải biểu quyết. Nghị quyết tháng nên nêu ngắn "
            "gọn kết quả tháng trước, một số nhiệm vụ trọng tâm tháng tới, người phụ trách và thời "
            "hạn hoàn thành."
        ),
    ),
]

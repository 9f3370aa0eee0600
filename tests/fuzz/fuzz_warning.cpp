// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer entry for the early warning's inputs: an agent's warning record (what a node sends
// the workbench, decoded by warningFromJson and worded by earlyWarningText), and the v2 kernel
// files the signal reader parses (PSI memory.pressure, memory.events). The same bytes go to all
// three. Nothing may crash, hang or trip a sanitizer; a decoded warning survives its own encoder,
// and the PSI figure is a percentage or -1.
#include "agentprotocol.h"
#include "cgroupreader.h"
#include "earlywarning.h"
#include "memorysignals.h"

#include <QByteArray>
#include <QJsonDocument>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace oomscope;

namespace {

void check(bool invariant)
{
    if (!invariant)
        __builtin_trap();
}

void warningRecord(const QByteArray &bytes)
{
    const QJsonDocument doc = QJsonDocument::fromJson(bytes);
    if (!doc.isObject())
        return;
    std::optional<EarlyWarning> w = warningFromJson(doc.object());
    if (!w)
        return;
    w->node = QStringLiteral("node-1"); // as AgentClient names the node
    check(!earlyWarningText(*w).isEmpty() && earlyWarningTitle(*w).contains(w->cgroup));
    const std::optional<EarlyWarning> again = warningFromJson(warningRecordJson(*w));
    check(again.has_value());
    check(again->source == w->source && again->cgroup == w->cgroup && again->timestampMs == w->timestampMs);
    check(w->victimPid <= 0 || (again->victimPid == w->victimPid && again->victimComm == w->victimComm));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    warningRecord(bytes);
    const double avg10 = psiSomeAvg10(bytes);
    check(avg10 == -1 || (avg10 >= 0 && !std::isnan(avg10)));
    if (const std::optional<CgroupMemoryEvents> e =
            parseMemoryEvents(std::string_view(bytes.constData(), size)))
        (void)e->max;
    return 0;
}

// SPDX-License-Identifier: GPL-3.0-or-later
#include "deathinputs.h"

#include "podjson.h"

using namespace Qt::StringLiterals;

namespace oomscope {

Result<bool> DeathCollector::takeKubeRecord(OpenedLog &log)
{
    const QByteArray head = log.device->peek(64 * 1024);
    if (log.content != LogContent::Text || !(looksLikeKubeJson(head) || looksLikeDescribePod(head)))
        return false;
    const QByteArray bytes = log.device->readAll();
    Result<KubeObjects> objects = parseKubeRecord(bytes);
    if (!objects)
        return fail(objects.error().kind, log.displayName + u": "_s + objects.error().message);
    m_kubeObjects += int(objects->pods.size() + objects->events.size());
    m_inputs.kube.push_back({log.displayName, std::move(objects->pods), std::move(objects->events)});
    return true;
}

ParseSinks DeathCollector::sinks()
{
    m_scanner = std::make_unique<KillerLineScanner>();
    ParseSinks sinks;
    KillerLineScanner *scanner = m_scanner.get();
    sinks.onBlock = [scanner](const char *data, qsizetype size) {
        scanner->feed(data, size);
    };
    return sinks;
}

void DeathCollector::finishLog(const QString &source, const ParseResult &result,
                               const std::vector<qint64> &eventIds)
{
    for (std::size_t i = 0; i < result.events.size(); ++i) {
        const qint64 id = i < eventIds.size() ? eventIds[i] : 0;
        if (std::optional<KernelKill> k = kernelKillOf(result.events[i], id, source))
            m_kills.add(std::move(*k));
    }
    if (!m_scanner)
        return;
    for (KillerLine &l : m_scanner->finish().lines)
        m_inputs.lines.push_back({source, std::move(l)});
    m_scanner.reset();
}

ImportResult DeathCollector::importLog(Workspace &ws, OpenedLog &log, const ProgressFn &progress)
{
    KillerLineScanner scanner;
    const KillSpill::Mark before = m_kills.mark();
    ImportTap tap;
    tap.onBlock = [&scanner](const char *data, qsizetype size) {
        scanner.feed(data, size);
    };
    // The kill from the event as parsed, not read back: the workspace stores what it was given.
    // (On the storing thread; this thread waits for the import meanwhile.)
    tap.onStored = [this, &log](const OomEvent &event, qint64 eventId) {
        if (std::optional<KernelKill> k = kernelKillOf(event, eventId, log.displayName))
            m_kills.add(std::move(*k));
    };
    ImportResult result = ws.importLog(*log.device, log.displayName, progress, tap);
    if (!result.ok) {
        m_kills.rollBack(before);
        return result;
    }
    if (result.alreadyImported) {
        // This import's events were rolled back; the deaths name the ones stored before.
        m_kills.rollBack(before);
        for (const qint64 id : ws.eventIds(result.sourceId)) {
            if (const std::optional<OomEvent> e = ws.event(id))
                if (std::optional<KernelKill> k = kernelKillOf(*e, id, log.displayName))
                    m_kills.add(std::move(*k));
        }
    }
    for (KillerLine &l : scanner.finish().lines)
        m_inputs.lines.push_back({log.displayName, std::move(l)});
    return result;
}

Result<void> DeathCollector::forEachDeath(const std::function<void(Death &&)> &visit)
{
    if (const std::optional<Error> &e = m_kills.error())
        return tl::unexpected(*e);
    DeathInputs inputs = std::move(m_inputs);
    m_inputs = {};
    DeathStreams streams;
    streams.nextKill = m_kills.spilledReader();
    inputs.kernel = m_kills.takeHeld();
    FinishedDeaths finished;
    streams.finished = [&finished](OrderedDeath &&d) {
        finished.add(std::move(d));
    };
    std::vector<OrderedDeath> held = buildDeaths(inputs, streams);
    if (const std::optional<Error> &e = m_kills.error())
        return tl::unexpected(*e);
    return finished.merge(std::move(held), visit);
}

Result<std::vector<Death>> DeathCollector::deaths()
{
    std::vector<Death> table;
    if (Result<void> ok = forEachDeath([&table](Death &&d) { table.push_back(std::move(d)); }); !ok)
        return tl::unexpected(ok.error());
    return table;
}

} // namespace oomscope

// SPDX-License-Identifier: GPL-3.0-or-later
// Writing recordings: the samples and process files of recordingcsv.h with only the columns that
// hold data, in the order of the sample field table.
#include "csvtext.h"
#include "recordingcsv.h"
#include "samplefields.h"

#include <QIODevice>

#include <array>
#include <charconv>
#include <cmath>

using namespace Qt::StringLiterals;

namespace oomscope {

using namespace csv;

namespace {

class CsvWriter
{
public:
    explicit CsvWriter(QIODevice &out)
        : m_out(out)
    {
        m_buf.reserve(kChunkBytes + 4096);
    }

    void text(QByteArrayView bytes)
    {
        comma();
        bool quote =
            !bytes.isEmpty() && (isBlank(bytes.front()) || isBlank(bytes.back()) || bytes.front() == '#');
        for (char c : bytes) {
            if (c == ',' || c == '"' || c == '\n' || c == '\r')
                quote = true;
        }
        if (!quote) {
            m_buf.append(bytes);
            return;
        }
        m_buf.append('"');
        for (char c : bytes) {
            if (c == '"')
                m_buf.append("\"\"");
            else if (c == '\n' || c == '\r')
                m_buf.append(' ');
            else
                m_buf.append(c);
        }
        m_buf.append('"');
    }
    void text(const QString &s) { text(QByteArrayView(s.toUtf8())); }
    void number(std::int64_t v)
    {
        comma();
        char tmp[24];
        auto [p, ec] = std::to_chars(tmp, tmp + sizeof tmp, v);
        Q_UNUSED(ec);
        m_buf.append(tmp, p - tmp);
    }
    void seconds(double v)
    {
        comma();
        if (std::isnan(v))
            return;
        char tmp[40];
        auto [p, ec] = std::to_chars(tmp, tmp + sizeof tmp, v); // shortest form that reads back exactly
        Q_UNUSED(ec);
        m_buf.append(tmp, p - tmp);
    }
    void raw(const char *s)
    {
        comma();
        m_buf.append(s);
    }
    void raw(std::string_view s)
    {
        comma();
        m_buf.append(s.data(), qsizetype(s.size()));
    }
    void empty() { comma(); }
    bool endRow()
    {
        m_buf.append('\n');
        m_first = true;
        return m_buf.size() < kChunkBytes || flush();
    }
    bool flush()
    {
        if (m_buf.isEmpty())
            return true;
        if (m_out.write(m_buf) != m_buf.size()) {
            m_error = Error {Error::Kind::Io, u"write error: %1"_s.arg(m_out.errorString())};
            return false;
        }
        m_buf.clear();
        return true;
    }
    bool checkOpen()
    {
        if (m_out.isOpen() && m_out.isWritable())
            return true;
        m_error = Error {Error::Kind::Invalid, u"the output is not open for writing"_s};
        return false;
    }
    // What went wrong, for `return w.failure();` after a false from endRow/flush/checkOpen.
    tl::unexpected<Error> failure() const { return tl::unexpected<Error>(m_error); }

private:
    void comma()
    {
        if (!m_first)
            m_buf.append(',');
        m_first = false;
    }

    QIODevice &m_out;
    QByteArray m_buf;
    Error m_error;
    bool m_first = true;
};

// One sample field's cell: `max` for no limit, `-` for an unmeasured limit (an empty limit would
// read back as "no limit"), empty for any other unmeasured field.
void writeSampleField(CsvWriter &w, const SampleFieldInfo &field, const MemorySample &m)
{
    if (field.seconds) {
        w.seconds(m.*field.seconds);
        return;
    }
    const std::int64_t v = m.*field.integer;
    if (v == MemorySample::kUnlimited && field.isLimit)
        w.raw("max");
    else if (!MemorySample::known(v))
        w.raw(field.id == SampleField::Limit ? "-" : "");
    else
        w.number(v);
}

// The columns of a samples file: those that hold a value in any sample.
struct SampleColumnsUsed {
    bool cgroup = false;
    std::array<bool, kSampleFields.size()> field {};
};

SampleColumnsUsed sampleColumnsUsed(std::span<const RecordedSeries> series)
{
    SampleColumnsUsed used;
    for (const RecordedSeries &s : series) {
        used.cgroup = used.cgroup || !s.cgroup.isEmpty();
        for (const MemorySample &m : s.samples) {
            for (std::size_t c = 0; c < kSampleFields.size(); ++c)
                used.field[c] = used.field[c] || sampleFieldKnown(m, kSampleFields[c]);
        }
    }
    return used;
}

void writeSamplesHeader(CsvWriter &w, const SampleColumnsUsed &used)
{
    // timestamp_ms rather than timestamp: epoch milliseconds below 1e11 (before 1973, or test
    // data) must not be read back as seconds.
    w.raw("timestamp_ms");
    if (used.cgroup)
        w.raw("cgroup");
    for (std::size_t c = 0; c < kSampleFields.size(); ++c) {
        if (used.field[c])
            w.raw(kSampleFields[c].csvColumn);
    }
}

} // namespace

Result<void> writeSamplesCsv(QIODevice &out, std::span<const RecordedSeries> series)
{
    CsvWriter w(out);
    if (!w.checkOpen())
        return w.failure();
    const SampleColumnsUsed used = sampleColumnsUsed(series);
    writeSamplesHeader(w, used);
    if (!w.endRow())
        return w.failure();
    for (const RecordedSeries &s : series) {
        const QByteArray cgroup = s.cgroup.toUtf8();
        for (const MemorySample &m : s.samples) {
            w.number(m.timestampMs);
            if (used.cgroup)
                w.text(QByteArrayView(cgroup));
            for (std::size_t c = 0; c < kSampleFields.size(); ++c) {
                if (used.field[c])
                    writeSampleField(w, kSampleFields[c], m);
            }
            if (!w.endRow())
                return w.failure();
        }
    }
    if (!w.flush())
        return w.failure();
    return {};
}

Result<void> writeSamplesCsv(QIODevice &out, const QString &cgroup, std::span<const MemorySample> samples)
{
    // A one-element view onto the caller's samples would need a copy into RecordedSeries; the
    // copy is cheap next to formatting, and keeps one writer.
    const RecordedSeries one {cgroup, std::vector<MemorySample>(samples.begin(), samples.end())};
    return writeSamplesCsv(out, std::span<const RecordedSeries>(&one, 1));
}

Result<void> writeProcsCsv(QIODevice &out, std::span<const ProcessSample> rows)
{
    CsvWriter w(out);
    if (!w.checkOpen())
        return w.failure();
    bool withCgroup = false;
    bool withBoottime = false;
    std::array<bool, kProcessKibFields.size()> withColumn {};
    for (const ProcessSample &p : rows) {
        withCgroup = withCgroup || !p.cgroup.isEmpty();
        withBoottime = withBoottime || !std::isnan(p.boottimeSeconds);
        for (std::size_t c = 0; c < kProcessKibFields.size(); ++c)
            withColumn[c] = withColumn[c] || MemorySample::known(p.*kProcessKibFields[c].kib);
    }
    w.raw("timestamp_ms");
    w.raw("pid");
    w.raw("comm");
    if (withCgroup)
        w.raw("cgroup");
    for (std::size_t c = 0; c < kProcessKibFields.size(); ++c) {
        if (withColumn[c])
            w.raw(kProcessKibFields[c].csvColumn);
    }
    w.raw("oom_score_adj");
    if (withBoottime)
        w.raw("boottime_s");
    if (!w.endRow())
        return w.failure();
    for (const ProcessSample &p : rows) {
        w.number(p.timestampMs);
        w.number(p.pid);
        w.text(p.comm);
        if (withCgroup)
            w.text(p.cgroup);
        for (std::size_t c = 0; c < kProcessKibFields.size(); ++c) {
            if (!withColumn[c])
                continue;
            const std::int64_t v = p.*kProcessKibFields[c].kib;
            if (MemorySample::known(v))
                w.number(v);
            else
                w.empty();
        }
        w.number(p.oomScoreAdj);
        if (withBoottime)
            w.seconds(p.boottimeSeconds);
        if (!w.endRow())
            return w.failure();
    }
    if (!w.flush())
        return w.failure();
    return {};
}

} // namespace oomscope

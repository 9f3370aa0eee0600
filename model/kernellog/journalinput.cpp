// SPDX-License-Identifier: GPL-3.0-or-later
#include "journalinput.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstring>
#include <functional>
#include <systemd/sd-journal.h>
#include <utility>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

// A sequential read-only device whose bytes come from a function called for more as needed.
class PullDevice : public QIODevice
{
public:
    using Pull = std::function<bool(QByteArray &out, QString &error)>; // appends; false at the end

    explicit PullDevice(Pull pull)
        : m_pull(std::move(pull))
    { }

    bool isSequential() const override { return true; }
    bool atEnd() const override
    {
        return m_ended && m_buffer.size() == m_offset && QIODevice::bytesAvailable() == 0;
    }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        while (m_buffer.size() - m_offset < maxSize && !m_ended) {
            if (m_offset > 0) {
                m_buffer.remove(0, m_offset);
                m_offset = 0;
            }
            if (!m_pull(m_buffer, m_error))
                m_ended = true;
        }
        const qint64 n = std::min<qint64>(maxSize, m_buffer.size() - m_offset);
        if (n <= 0) {
            if (!m_error.isEmpty()) {
                // Reported once; the text before it was delivered.
                setErrorString(std::exchange(m_error, QString()));
                return -1;
            }
            return 0;
        }
        memcpy(data, m_buffer.constData() + m_offset, size_t(n));
        m_offset += n;
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    Pull m_pull;
    QString m_error;
    QByteArray m_buffer;
    qsizetype m_offset = 0;
    bool m_ended = false;
};

std::unique_ptr<QIODevice> pullDevice(PullDevice::Pull pull)
{
    auto device = std::make_unique<PullDevice>(std::move(pull));
    device->open(QIODevice::ReadOnly);
    return device;
}

// Sets one field of an entry; key and value as in the journal ("MESSAGE", "_HOSTNAME", …).
void setField(JournalEntry &e, QByteArrayView key, const QByteArray &value, bool &haveIdentifier)
{
    if (key == "MESSAGE") {
        e.message = value;
    } else if (key == "_HOSTNAME") {
        e.host = value;
    } else if (key == "SYSLOG_IDENTIFIER") {
        e.identifier = value;
        haveIdentifier = true;
    } else if (key == "_COMM" && !haveIdentifier) {
        e.identifier = value;
    } else if (key == "_PID" || (key == "SYSLOG_PID" && !e.pid)) {
        bool ok = false;
        const qint64 pid = value.toLongLong(&ok);
        if (ok)
            e.pid = pid;
    } else if (key == "__REALTIME_TIMESTAMP") {
        bool ok = false;
        const qint64 usec = value.toLongLong(&ok);
        if (ok && usec >= 0)
            e.realtimeUsec = usec;
    } else if (key == "_TRANSPORT") {
        e.kernel = value == "kernel";
    }
}

// MESSAGE and friends: a string, an array of bytes (not valid UTF-8), or null.
std::optional<QByteArray> jsonFieldValue(const QJsonValue &v)
{
    if (v.isString())
        return v.toString().toUtf8();
    if (v.isArray()) {
        const QJsonArray a = v.toArray();
        // Several values for one field come as an array of strings; take the first.
        if (!a.isEmpty() && a.first().isString())
            return a.first().toString().toUtf8();
        QByteArray bytes;
        bytes.reserve(a.size());
        for (const QJsonValue &b : a) {
            if (!b.isDouble())
                return std::nullopt;
            bytes.append(char(quint8(b.toInt())));
        }
        return bytes;
    }
    return std::nullopt;
}

// Reads up to size bytes in steps, so a length field that lies costs no more than the data there is.
QByteArray readExactly(QIODevice &device, qint64 size)
{
    QByteArray out;
    while (out.size() < size) {
        const QByteArray part = device.read(std::min<qint64>(size - out.size(), 1024 * 1024));
        if (part.isEmpty())
            break;
        out += part;
    }
    return out;
}

bool isExportKey(QByteArrayView key)
{
    if (key.isEmpty())
        return false;
    for (const char c : key)
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    return true;
}

} // namespace

LogContent detectLogContent(QByteArrayView head)
{
    if (head.startsWith("LPKSHHRH"))
        return LogContent::JournalFile;
    qsizetype i = 0;
    while (i < head.size() && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' || head[i] == '\t'))
        ++i;
    const QByteArrayView rest = head.sliced(i);
    const qsizetype eol = rest.indexOf('\n');
    const QByteArrayView first = eol < 0 ? rest : rest.first(eol);
    if (first.startsWith("{")
        && (first.contains("\"__REALTIME_TIMESTAMP\"") || first.contains("\"__CURSOR\"")
            || (first.contains("\"MESSAGE\"") && first.contains("\"_"))))
        return LogContent::JournalJson;
    const qsizetype eq = first.indexOf('=');
    if (eq > 0 && isExportKey(first.first(eq))
        && (first.startsWith("__CURSOR=") || first.startsWith("__REALTIME_TIMESTAMP=")
            || rest.contains("\nMESSAGE=")))
        return LogContent::JournalExport;
    return LogContent::Text;
}

QString logContentName(LogContent content)
{
    switch (content) {
    case LogContent::JournalJson:
        return u"journal-json"_s;
    case LogContent::JournalExport:
        return u"journal-export"_s;
    case LogContent::JournalFile:
        return u"journal-file"_s;
    case LogContent::Text:
        break;
    }
    return u"text"_s;
}

QByteArray journalEntryAsText(const JournalEntry &entry)
{
    QByteArray prefix;
    if (entry.realtimeUsec) {
        const QDateTime t = QDateTime::fromMSecsSinceEpoch(*entry.realtimeUsec / 1000, Qt::UTC);
        prefix = t.toString(u"yyyy-MM-ddTHH:mm:ss"_s).toLatin1() + '.'
            + QByteArray::number(*entry.realtimeUsec % 1000000).rightJustified(6, '0') + "+00:00 ";
        QByteArray host = entry.host.isEmpty() ? QByteArray("-") : entry.host;
        host.replace(' ', '_');
        prefix += host + ' ';
        QByteArray ident =
            entry.kernel || entry.identifier.isEmpty() ? QByteArray("kernel") : entry.identifier;
        ident.replace(' ', '_');
        if (!entry.kernel && entry.identifier.isEmpty())
            ident = "unknown";
        prefix += ident;
        if (!entry.kernel && entry.pid)
            prefix += '[' + QByteArray::number(*entry.pid) + ']';
        prefix += ": ";
    }
    QByteArray out;
    const QList<QByteArray> lines = entry.message.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (i == lines.size() - 1 && lines[i].isEmpty() && i > 0)
            break;
        out += prefix + lines[i] + '\n';
    }
    return out;
}

std::optional<JournalEntry> parseJournalJsonLine(QByteArrayView line)
{
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(line.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    const QJsonObject o = doc.object();
    if (!o.contains(u"MESSAGE"_s))
        return std::nullopt;
    JournalEntry e;
    bool haveIdentifier = false;
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (const std::optional<QByteArray> v = jsonFieldValue(it.value()))
            setField(e, it.key().toUtf8(), *v, haveIdentifier);
    }
    return e;
}

JournalExportReader::JournalExportReader(QIODevice &device, qint64 maxFieldBytes)
    : m_device(device)
    , m_maxFieldBytes(maxFieldBytes)
{ }

std::optional<JournalEntry> JournalExportReader::next()
{
    JournalEntry e;
    bool haveIdentifier = false;
    bool any = false;
    while (m_error.isEmpty()) {
        // readLine(max) would reserve max bytes for every line; without one it grows as it reads.
        QByteArray line = m_device.readLine();
        if (line.size() > m_maxFieldBytes) {
            m_error =
                u"journal export line of %1 bytes, more than %2"_s.arg(line.size()).arg(m_maxFieldBytes);
            break;
        }
        if (line.isEmpty())
            return any ? std::optional(e) : std::nullopt;
        if (line.endsWith('\n'))
            line.chop(1);
        if (line.isEmpty()) {
            if (any)
                return e;
            continue;
        }
        any = true;
        const qsizetype eq = line.indexOf('=');
        if (eq >= 0) {
            setField(e, QByteArrayView(line).first(eq), line.mid(eq + 1), haveIdentifier);
            continue;
        }
        // Binary field: KEY '\n' <size, 64-bit little endian> <data> '\n'.
        const QByteArray sizeBytes = m_device.read(8);
        if (sizeBytes.size() != 8) {
            m_error = u"journal export stream ends inside field %1"_s.arg(QString::fromUtf8(line.left(64)));
            break;
        }
        quint64 size = 0;
        for (int i = 7; i >= 0; --i)
            size = (size << 8) | quint8(sizeBytes[i]);
        if (size > quint64(m_maxFieldBytes)) {
            m_error =
                u"journal export field %1 is %2 bytes, more than %3"_s.arg(QString::fromUtf8(line.left(64)))
                    .arg(size)
                    .arg(m_maxFieldBytes);
            break;
        }
        const QByteArray value = readExactly(m_device, qint64(size));
        if (quint64(value.size()) != size) {
            m_error = u"journal export stream ends inside field %1"_s.arg(QString::fromUtf8(line.left(64)));
            break;
        }
        m_device.read(1); // the '\n' after the data
        setField(e, line, value, haveIdentifier);
    }
    return std::nullopt;
}

std::unique_ptr<QIODevice> journalStreamAsText(std::unique_ptr<QIODevice> source, LogContent content)
{
    if (content == LogContent::JournalExport) {
        auto reader = std::make_shared<JournalExportReader>(*source);
        std::shared_ptr<QIODevice> owned(std::move(source));
        return pullDevice([owned, reader](QByteArray &out, QString &error) {
            const std::optional<JournalEntry> e = reader->next();
            if (!e) {
                error = reader->error();
                return false;
            }
            out += journalEntryAsText(*e);
            return true;
        });
    }
    std::shared_ptr<QIODevice> owned(std::move(source));
    return pullDevice([owned](QByteArray &out, QString &) {
        // Lines that are not journal objects (a truncated last line, garbage) are skipped.
        while (true) {
            const QByteArray line = owned->readLine();
            if (line.isEmpty())
                return false;
            if (const std::optional<JournalEntry> e = parseJournalJsonLine(line)) {
                out += journalEntryAsText(*e);
                return true;
            }
        }
    });
}

namespace {

QByteArray journalField(sd_journal *j, const char *field)
{
    const void *data = nullptr;
    size_t length = 0;
    if (sd_journal_get_data(j, field, &data, &length) < 0)
        return {};
    const QByteArray all(static_cast<const char *>(data), qsizetype(length));
    const qsizetype eq = all.indexOf('=');
    return eq < 0 ? QByteArray() : all.mid(eq + 1);
}

JournalEntry currentEntry(sd_journal *j)
{
    JournalEntry e;
    e.message = journalField(j, "MESSAGE");
    e.host = journalField(j, "_HOSTNAME");
    e.identifier = journalField(j, "SYSLOG_IDENTIFIER");
    if (e.identifier.isEmpty())
        e.identifier = journalField(j, "_COMM");
    e.kernel = journalField(j, "_TRANSPORT") == "kernel";
    bool ok = false;
    const qint64 pid = journalField(j, "_PID").toLongLong(&ok);
    if (ok)
        e.pid = pid;
    uint64_t usec = 0;
    if (sd_journal_get_realtime_usec(j, &usec) >= 0)
        e.realtimeUsec = qint64(usec);
    return e;
}

} // namespace

bool isJournalDirectory(const QString &path)
{
    QDirIterator it(path, {u"*.journal"_s, u"*.journal~"_s}, QDir::Files, QDirIterator::Subdirectories);
    return it.hasNext();
}

Result<std::unique_ptr<QIODevice>> openJournalFiles(const QString &fileOrDirectory)
{
    sd_journal *raw = nullptr;
    const QByteArray path = QFile::encodeName(fileOrDirectory);
    int rc = 0;
    if (QFileInfo(fileOrDirectory).isDir()) {
        rc = sd_journal_open_directory(&raw, path.constData(), 0);
    } else {
        const char *paths[] = {path.constData(), nullptr};
        rc = sd_journal_open_files(&raw, paths, 0);
    }
    if (rc < 0 || !raw)
        return fail(Error::Kind::Io,
                    u"%1: cannot open as a journal: %2"_s.arg(fileOrDirectory,
                                                              QString::fromLocal8Bit(strerror(-rc))));
    std::shared_ptr<sd_journal> j(raw, [](sd_journal *p) { sd_journal_close(p); });
    sd_journal_seek_head(j.get());
    return pullDevice([j](QByteArray &out, QString &error) {
        const int step = sd_journal_next(j.get());
        if (step < 0)
            error = u"journal: %1"_s.arg(QString::fromLocal8Bit(strerror(-step)));
        if (step <= 0)
            return false;
        out += journalEntryAsText(currentEntry(j.get()));
        return true;
    });
}

} // namespace oomscope

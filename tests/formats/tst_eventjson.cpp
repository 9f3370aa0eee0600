// SPDX-License-Identifier: GPL-3.0-or-later
// The event JSON writer (model/formats/eventjsonwriter.h) with text and numbers no fixture holds:
// every control character, quotes, backslashes, non-ASCII, a character outside the BMP, the
// replacement character of bytes that were not UTF-8; doubles that have no short decimal form;
// and Qt values of every type. Each is written by both writers (compact into memory as
// eventToJson() does, indented into a FILE* as `analyze --json` does) and must read back equal.
#include "eventjson.h"
#include "eventjsonwriter.h"
#include "killdecision.h"
#include "meminfoparser.h"
#include "oomreportparser.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cstdio>
#include <limits>

using namespace oomscope;
using namespace Qt::StringLiterals;

namespace {

// Everything from U+0000 to U+007F, then quotes, backslashes and what follows ASCII.
QString awkwardText()
{
    QString s;
    for (char16_t c = 0; c < 0x80; ++c)
        s += QChar(c);
    s += u"\"\\\\\"/ é ß 漢字 \U0001F600 "_s;
    s += QString::fromUtf8("bad: \xff\xfe\xc3 end"); // U+FFFD for each byte that is no UTF-8
    return s;
}

// Writes {"v": value} with both writers; returns the two documents' "v".
template<typename Write>
std::pair<QJsonValue, QJsonValue> bothWriters(Write write, QByteArray *indented = nullptr)
{
    rapidjson::StringBuffer buffer;
    CompactJsonWriter compact(buffer);
    compact.StartObject();
    writeJsonKey(compact, "v");
    write(compact);
    compact.EndObject();
    const QByteArray compactText(buffer.GetString(), qsizetype(buffer.GetSize()));

    std::FILE *file = std::tmpfile();
    if (!file)
        qFatal("no temporary file");
    JsonFileStream stream(file, 64); // small: drained in the middle of values, grown for long strings
    PrettyJsonFileWriter pretty(stream);
    pretty.StartObject();
    writeJsonKey(pretty, "v");
    write(pretty);
    pretty.EndObject();
    stream.Flush();
    QByteArray prettyText(std::ftell(file), Qt::Uninitialized);
    std::rewind(file);
    if (std::fread(prettyText.data(), 1, size_t(prettyText.size()), file) != size_t(prettyText.size()))
        qFatal("cannot read the temporary file back");
    std::fclose(file);
    if (indented)
        *indented = prettyText;

    QJsonParseError e1, e2;
    const QJsonObject a = QJsonDocument::fromJson(compactText, &e1).object();
    const QJsonObject b = QJsonDocument::fromJson(prettyText, &e2).object();
    if (e1.error != QJsonParseError::NoError || e2.error != QJsonParseError::NoError)
        qWarning("invalid JSON: %s / %s", qPrintable(e1.errorString()), qPrintable(e2.errorString()));
    return {a.value(u"v"_s), b.value(u"v"_s)};
}

} // namespace

class TestEventJson : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // A real report's event: both writers give the same values, and the indented one puts each
    // row of the ranking on a line of its own (as the kernel's task table does).
    void rankingRowsAreOneLineEach()
    {
        QFile log(QStringLiteral(OOMSCOPE_TEST_DATA)
                  + u"/real/oomanalyser-archlinux-6.1.1-global-swap-full.log"_s);
        QVERIFY(log.open(QIODevice::ReadOnly));
        const ParseResult parsed = OomReportParser().parse(log.readAll());
        QCOMPARE(parsed.events.size(), std::size_t(1));
        const OomEvent &event = parsed.events.front();
        const KillDecision decision = decideKill(event);
        QVERIFY(decision.ranking.size() >= 50);
        QByteArray indented;
        const auto [compact, pretty] = bothWriters(
            [&](auto &w) {
                w.StartObject();
                writeEventMembers(w, event, decision, parseMemInfo(event));
                w.EndObject();
            },
            &indented);
        QVERIFY(compact.isObject());
        QCOMPARE(pretty, compact);
        const QJsonArray ranking = pretty.toObject().value(u"ranking"_s).toArray();
        QCOMPARE(ranking.size(), qsizetype(decision.ranking.size()));
        qsizetype rowLines = 0;
        for (const QByteArray &line : indented.split('\n')) {
            const QByteArray row = line.trimmed();
            if (!row.startsWith("{\"pid\":"))
                continue;
            QJsonParseError error;
            const QJsonObject o =
                QJsonDocument::fromJson(row.endsWith(',') ? row.chopped(1) : row, &error).object();
            QCOMPARE(error.error, QJsonParseError::NoError);
            QCOMPARE(o, ranking.at(rowLines).toObject());
            ++rowLines;
        }
        QCOMPARE(rowLines, ranking.size());
    }

    void stringsReadBackEqual()
    {
        const QString text = awkwardText();
        QVERIFY(text.contains(QChar(0xFFFD)));
        const auto [compact, pretty] = bothWriters([&](auto &w) { writeJsonString(w, text); });
        QCOMPARE(compact.toString(), text);
        QCOMPARE(pretty.toString(), text);
        // The ASCII fast path and the UTF-8 path meet at 256 characters.
        for (const qsizetype n : {255, 256, 257}) {
            const QString ascii(n, u'\t');
            const auto [c, p] = bothWriters([&](auto &w) { writeJsonString(w, ascii); });
            QCOMPARE(c.toString(), ascii);
            QCOMPARE(p.toString(), ascii);
        }
    }

    void warningReadsBackEqual()
    {
        ParseWarning w;
        w.line = 7;
        w.kind = ParseWarning::Kind::Encoding;
        w.detail = awkwardText();
        const QJsonObject o = warningToJson(w);
        QCOMPARE(o.value(u"detail"_s).toString(), w.detail);
        QCOMPARE(o.value(u"line"_s).toInteger(), 7);
        QCOMPARE(o.value(u"kind"_s).toString(), parseWarningKindName(w.kind));
    }

    void qtValuesReadBackEqual()
    {
        const QJsonObject value {
            {u"int"_s, qint64(9007199254740993)}, // above 2^53: exact only as an integer
            {u"negative"_s, -1000},
            {u"double"_s, 0.1 + 0.2},
            {u"tiny"_s, 5e-324},
            {u"huge"_s, 1.7976931348623157e308},
            {u"whole double"_s, 200.0},
            {u"bool"_s, false},
            {u"null"_s, QJsonValue()},
            {awkwardText(), QJsonArray {u"x"_s, 1, true, QJsonObject {}, QJsonArray {}}},
        };
        const auto [compact, pretty] = bothWriters([&](auto &w) { writeJsonValue(w, value); });
        QCOMPARE(compact.toObject(), value);
        QCOMPARE(pretty.toObject(), value);
        QCOMPARE(compact[u"int"_s].toInteger(), qint64(9007199254740993));
        QCOMPARE(compact[u"double"_s].toDouble(), 0.1 + 0.2);
    }

    // QJsonDocument printed a NaN or an infinity as null; so does the writer (RapidJSON alone
    // would stop the document there).
    void nonFiniteDoublesAreNull()
    {
        const QJsonArray value {std::numeric_limits<double>::quiet_NaN(),
                                std::numeric_limits<double>::infinity()};
        const auto [compact, pretty] = bothWriters([&](auto &w) { writeJsonValue(w, value); });
        QCOMPARE(compact.toArray(), (QJsonArray {QJsonValue(), QJsonValue()}));
        QCOMPARE(pretty.toArray(), (QJsonArray {QJsonValue(), QJsonValue()}));
    }
};

QTEST_GUILESS_MAIN(TestEventJson)
#include "tst_eventjson.moc"

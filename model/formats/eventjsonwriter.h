// SPDX-License-Identifier: GPL-3.0-or-later
// The event JSON (README.md, "JSON output") written straight into a RapidJSON writer: the one
// definition of its keys and values. eventToJson() (eventjson.h) reads these bytes back into a
// QJsonObject; `analyze --json` streams them to stdout without building any object.
#pragma once

#include "killdecision.h"
#include "meminfosnapshot.h"
#include "oomevent.h"

#include <QJsonValue>
#include <QStringView>

// rapidjson/: header-only (Debian's rapidjson-dev), only its writers: the project reads JSON with Qt.
#include <cstdio>
#include <cstring>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <vector>

namespace oomscope {

// A FILE* behind a buffer, as RapidJSON's writers want an output stream. Unlike RapidJSON's own
// FileWriteStream it takes the writers' reserve-then-put path (PutReserve/PutUnsafe/PutN below),
// so a string or an indent is copied without checking the buffer's end at every character.
class JsonFileStream
{
public:
    using Ch = char;

    explicit JsonFileStream(std::FILE *file, std::size_t bufferBytes = 64 * 1024)
        : m_file(file)
        , m_buffer(bufferBytes)
        , m_pos(m_buffer.data())
        , m_end(m_buffer.data() + m_buffer.size())
    { }
    JsonFileStream(const JsonFileStream &) = delete;
    JsonFileStream &operator=(const JsonFileStream &) = delete;

    void Put(char c)
    {
        if (m_pos == m_end)
            drain(1);
        *m_pos++ = c;
    }
    // Room for count more characters, written with putUnsafe().
    void reserve(std::size_t count)
    {
        if (std::size_t(m_end - m_pos) < count)
            drain(count);
    }
    void putUnsafe(char c) { *m_pos++ = c; }
    void putN(char c, std::size_t count)
    {
        reserve(count);
        std::memset(m_pos, c, count);
        m_pos += count;
    }
    // Everything written so far to the FILE*, and the FILE* flushed: a reader sees it now.
    void Flush();

private:
    // Writes the buffer out; grows it when one piece is larger than the whole buffer.
    void drain(std::size_t room);

    std::FILE *m_file;
    std::vector<char> m_buffer;
    char *m_pos;
    char *m_end;
};

inline void PutReserve(JsonFileStream &stream, std::size_t count)
{
    stream.reserve(count);
}
inline void PutUnsafe(JsonFileStream &stream, char c)
{
    stream.putUnsafe(c);
}
inline void PutN(JsonFileStream &stream, char c, std::size_t count)
{
    stream.putN(c, count);
}

// The writers the functions below are instantiated for (eventjson.cpp): compact into memory
// (eventToJson) and indented into a buffered FILE* (analyze --json).
using CompactJsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;
using PrettyJsonFileWriter = rapidjson::PrettyWriter<JsonFileStream>;

// The members of one event object, without its braces, so a caller can add its own around them
// (`source`, `time_ms`, …). `snapshot` is parseMemInfo(event), as for eventToJson().
template<typename Writer>
void writeEventMembers(Writer &writer, const OomEvent &event, const KillDecision &decision,
                       const MemInfoSnapshot &snapshot);

// The members of one parse warning (`line`, `kind`, `detail`), without its braces.
template<typename Writer> void writeWarningMembers(Writer &writer, const ParseWarning &warning);

// A QString as a JSON string (UTF-8, escaped by the writer).
template<typename Writer> void writeJsonString(Writer &writer, QStringView text);

// A Qt JSON value (the small trailing parts of a document: sources, deaths): whole numbers as
// integers and a non-finite double as null, as QJsonDocument prints them.
template<typename Writer> void writeJsonValue(Writer &writer, const QJsonValue &value);

// A key given as a literal of ours (plain ASCII, nothing to escape): copied with its quotes as a
// raw value, which both writers place as they place a key, without looking at each character.
template<typename Writer, std::size_t N> void writeJsonKey(Writer &writer, const char (&key)[N])
{
    char quoted[N + 1];
    quoted[0] = '"';
    std::memcpy(quoted + 1, key, N - 1);
    quoted[N] = '"';
    for (std::size_t i = 0; i + 1 < N; ++i)
        Q_ASSERT(key[i] >= 0x20 && key[i] != '"' && key[i] != '\\');
    writer.RawValue(quoted, N + 1, rapidjson::kStringType);
}

extern template void writeEventMembers(CompactJsonWriter &, const OomEvent &, const KillDecision &,
                                       const MemInfoSnapshot &);
extern template void writeEventMembers(PrettyJsonFileWriter &, const OomEvent &, const KillDecision &,
                                       const MemInfoSnapshot &);
extern template void writeWarningMembers(CompactJsonWriter &, const ParseWarning &);
extern template void writeWarningMembers(PrettyJsonFileWriter &, const ParseWarning &);
extern template void writeJsonString(CompactJsonWriter &, QStringView);
extern template void writeJsonString(PrettyJsonFileWriter &, QStringView);
extern template void writeJsonValue(CompactJsonWriter &, const QJsonValue &);
extern template void writeJsonValue(PrettyJsonFileWriter &, const QJsonValue &);

} // namespace oomscope

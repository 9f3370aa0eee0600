// SPDX-License-Identifier: GPL-3.0-or-later
// A configurable memory workload for the lab (tst_lab): leaks (anon or shmem), sawtooth cycles,
// startup climbs, plateaus with bursts, spikes, page-cache readers and steady footprints, each
// shaped by its command line so that the lab can vary rates and sizes from a seed. Plain C++ with
// no Qt, so that the cgroup's charge is almost all memory the mode touches on purpose.
//
// Usage: oomscope_lab_workload MODE [--name value]...
//   common     --adj N          write N to /proc/self/oom_score_adj first
//              --duration-s S   exit 0 after S seconds (0: run until killed; modes that should be
//                               killed exit 3 after --max-s, 120 s by default: the limit did not hold)
//              --seed N         for the random jitter
//   leak       --rate-mibps R [--jitter-mib J] [--base-mib B] [--delay-s D]   anon grows by R MiB/s
//                               (from B MiB held at once, after D s); J: a temporary buffer of
//                               0..J MiB is touched and released every second (noise on top)
//   shmem      --rate-mibps R   a memfd (shmem, charged to the cgroup) grows by R MiB/s
//   sawtooth   --cycle-mib N --keep-mib K --period-s P   every P s: allocate N MiB, free all but
//                               K MiB of it (the retained part keeps growing)
//   startup    --target-mib T --rate-mibps R   climb to T MiB at R MiB/s, then hold
//   plateau    --base-mib W --burst-mib B --burst-every-s E --burst-s D   hold W MiB; every E s
//                               add B MiB for D s
//   spike      --base-mib B --hold-s H --spike-mib X   hold B MiB for H s, then touch X MiB more
//                               as fast as possible
//   pagecache  --file PATH --rate-mibps R   drop the file's cache, then read it in a loop at R MiB/s
//   hold       --base-mib B [--wobble-mib W]   hold B MiB (plus 0..W MiB that come and go)
// Prints one line "ready" on stderr when its setup is done (after --adj).

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <map>
#include <random>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

namespace {

constexpr std::size_t kMiB = 1024 * 1024;
constexpr std::size_t kPage = 4096;

double nowS()
{
    timespec ts {};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

void sleepS(double seconds)
{
    if (seconds <= 0)
        return;
    timespec ts {time_t(seconds), long((seconds - double(time_t(seconds))) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) { }
}

[[noreturn]] void fail(const char *what)
{
    std::fprintf(stderr, "oomscope_lab_workload: %s: %s\n", what, std::strerror(errno));
    std::exit(4);
}

// A large reserved range whose pages are charged only when touched: growing and shrinking a
// footprint needs no new mappings, and released pages really leave the cgroup (MADV_DONTNEED).
class Region
{
public:
    explicit Region(std::size_t capacityBytes, int fd = -1)
        : m_capacity(capacityBytes)
    {
        void *p = fd < 0 ? mmap(nullptr, capacityBytes, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
                         : mmap(nullptr, capacityBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED)
            fail("mmap");
        m_base = static_cast<unsigned char *>(p);
        m_shared = fd >= 0;
        m_fd = fd;
    }

    std::size_t touched() const { return m_touched; }

    // Touches pages up to `bytes` (rounded to pages) with a non-zero value, so each is charged.
    void growTo(std::size_t bytes)
    {
        bytes = std::min(m_capacity, (bytes + kPage - 1) / kPage * kPage);
        if (bytes > m_touched) {
            std::memset(m_base + m_touched, 0x5a, bytes - m_touched);
            m_touched = bytes;
        }
    }

    void shrinkTo(std::size_t bytes)
    {
        bytes = (bytes + kPage - 1) / kPage * kPage;
        if (bytes >= m_touched)
            return;
        if (m_shared) {
            // Shmem pages stay in the file after MADV_DONTNEED; punch them out.
            if (fallocate(m_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off_t(bytes),
                          off_t(m_touched - bytes))
                != 0)
                fail("fallocate");
        } else if (madvise(m_base + bytes, m_touched - bytes, MADV_DONTNEED) != 0) {
            fail("madvise");
        }
        m_touched = bytes;
    }

private:
    unsigned char *m_base = nullptr;
    std::size_t m_capacity = 0;
    std::size_t m_touched = 0;
    bool m_shared = false;
    int m_fd = -1;
};

struct Args {
    std::string mode;
    std::map<std::string, std::string> values;

    double num(const char *name, double fallback) const
    {
        const auto it = values.find(name);
        return it == values.end() ? fallback : std::strtod(it->second.c_str(), nullptr);
    }
    std::string str(const char *name) const
    {
        const auto it = values.find(name);
        return it == values.end() ? std::string() : it->second;
    }
};

std::size_t mibBytes(double mib)
{
    return mib <= 0 ? 0 : std::size_t(mib * double(kMiB));
}

constexpr std::size_t kCapacity = std::size_t(4) * 1024 * kMiB; // virtual only

// Runs `step(elapsedS)` every periodS until it returns false or the time is up.
template<typename Step> int loop(const Args &args, double periodS, bool expectKill, Step step)
{
    const double durationS = args.num("duration-s", 0);
    const double maxS = durationS > 0 ? durationS : args.num("max-s", 120);
    const double start = nowS();
    for (long i = 0;; ++i) {
        const double elapsed = nowS() - start;
        if (elapsed >= maxS)
            return durationS > 0 ? 0 : (expectKill ? 3 : 0);
        if (!step(elapsed))
            return 0;
        sleepS(start + double(i + 1) * periodS - nowS());
    }
}

int runLeak(const Args &args, bool shmem)
{
    const double rate = args.num("rate-mibps", 2);
    const double jitterMib = args.num("jitter-mib", 0);
    const double baseMib = args.num("base-mib", 0);
    const double delayS = args.num("delay-s", 0);
    int fd = -1;
    if (shmem) {
        fd = memfd_create("oomscope-lab-shmem", MFD_CLOEXEC);
        if (fd < 0)
            fail("memfd_create");
        // Sparse: pages are allocated (and charged as shmem) only when touched.
        if (ftruncate(fd, off_t(kCapacity)) != 0)
            fail("ftruncate");
    }
    Region leak(kCapacity, fd);
    Region jitter(kCapacity);
    std::mt19937_64 rng(std::uint64_t(args.num("seed", 1)));
    std::uniform_real_distribution<double> unit(0, 1);
    double nextJitter = 0;
    return loop(args, 0.05, true, [&](double t) {
        leak.growTo(mibBytes(baseMib + rate * std::max(0.0, t - delayS)));
        if (jitterMib > 0 && t >= nextJitter) {
            jitter.shrinkTo(0);
            jitter.growTo(mibBytes(jitterMib * unit(rng)));
            nextJitter = t + 1.0;
        }
        return true;
    });
}

int runSawtooth(const Args &args)
{
    const double cycleMib = args.num("cycle-mib", 16);
    const double keepMib = args.num("keep-mib", 2);
    const double periodS = args.num("period-s", 3);
    Region retained(kCapacity);
    Region cycle(kCapacity);
    // Within a cycle: climb over the first 30 %, hold to 60 %, then free all but what is kept.
    return loop(args, 0.05, true, [&](double t) {
        const double cycles = std::floor(t / periodS);
        const double phase = (t - cycles * periodS) / periodS;
        retained.growTo(mibBytes(keepMib * cycles));
        if (phase < 0.3)
            cycle.growTo(mibBytes(cycleMib * std::min(1.0, phase / 0.3 + 0.05)));
        else if (phase >= 0.6)
            cycle.shrinkTo(0);
        return true;
    });
}

int runStartup(const Args &args)
{
    const double target = args.num("target-mib", 64);
    const double rate = args.num("rate-mibps", 20);
    Region region(kCapacity);
    return loop(args, 0.05, true, [&](double t) {
        region.growTo(mibBytes(std::min(target, rate * t)));
        return true;
    });
}

int runPlateau(const Args &args)
{
    const double baseMib = args.num("base-mib", 48);
    const double burstMib = args.num("burst-mib", 4);
    const double everyS = args.num("burst-every-s", 3);
    const double burstS = args.num("burst-s", 0.6);
    Region base(kCapacity);
    Region burst(kCapacity);
    // Reach the working set over the first 2 s, then burst periodically.
    return loop(args, 0.05, false, [&](double t) {
        base.growTo(mibBytes(baseMib * std::min(1.0, t / 2.0 + 0.05)));
        const double sinceStart = t - 3.0;
        if (sinceStart >= 0 && std::fmod(sinceStart, everyS) < burstS)
            burst.growTo(mibBytes(burstMib));
        else
            burst.shrinkTo(0);
        return true;
    });
}

int runSpike(const Args &args)
{
    const double baseMib = args.num("base-mib", 16);
    const double holdS = args.num("hold-s", 15);
    const double spikeMib = args.num("spike-mib", 80);
    Region base(kCapacity);
    Region spike(kCapacity);
    return loop(args, 0.05, true, [&](double t) {
        base.growTo(mibBytes(baseMib * std::min(1.0, t + 0.05)));
        if (t >= holdS)
            spike.growTo(mibBytes(spikeMib)); // one memset: faster than any sampler
        return true;
    });
}

int runPageCache(const Args &args)
{
    const std::string path = args.str("file");
    const double rate = args.num("rate-mibps", 100);
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        fail("open --file");
    // The file was written outside this cgroup; drop its cache so that our reads charge us.
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    constexpr std::size_t kChunk = 1 * kMiB;
    std::vector<char> chunk(kChunk);
    off_t offset = 0;
    const double periodS = 0.02;
    const double perStep = rate * periodS; // MiB per step
    double owed = 0;
    return loop(args, periodS, false, [&](double) {
        owed += perStep;
        while (owed >= 1.0) {
            const ssize_t got = pread(fd, chunk.data(), kChunk, offset);
            if (got < 0)
                fail("pread");
            offset = got == 0 ? 0 : offset + got;
            owed -= got == 0 ? 0.0 : double(got) / double(kMiB);
        }
        return true;
    });
}

int runHold(const Args &args)
{
    const double baseMib = args.num("base-mib", 16);
    const double wobbleMib = args.num("wobble-mib", 0);
    Region base(kCapacity);
    Region wobble(kCapacity);
    std::mt19937_64 rng(std::uint64_t(args.num("seed", 1)));
    std::uniform_real_distribution<double> unit(0, 1);
    double next = 1.0;
    return loop(args, 0.05, false, [&](double t) {
        base.growTo(mibBytes(baseMib * std::min(1.0, t + 0.05)));
        if (wobbleMib > 0 && t >= next) {
            wobble.shrinkTo(0);
            wobble.growTo(mibBytes(wobbleMib * unit(rng)));
            next = t + 1.0;
        }
        return true;
    });
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s MODE [--name value]... (see the source)\n", argv[0]);
        return 2;
    }
    Args args;
    args.mode = argv[1];
    for (int i = 2; i + 1 < argc; i += 2) {
        if (std::strncmp(argv[i], "--", 2) != 0) {
            std::fprintf(stderr, "expected --name value, got %s\n", argv[i]);
            return 2;
        }
        args.values[argv[i] + 2] = argv[i + 1];
    }
    if (!args.str("adj").empty()) {
        const int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        const std::string value = args.str("adj");
        if (fd < 0 || write(fd, value.data(), value.size()) != ssize_t(value.size()))
            fail("oom_score_adj");
        close(fd);
    }
    std::fprintf(stderr, "ready\n");
    const std::string &m = args.mode;
    if (m == "leak")
        return runLeak(args, false);
    if (m == "shmem")
        return runLeak(args, true);
    if (m == "sawtooth")
        return runSawtooth(args);
    if (m == "startup")
        return runStartup(args);
    if (m == "plateau")
        return runPlateau(args);
    if (m == "spike")
        return runSpike(args);
    if (m == "pagecache")
        return runPageCache(args);
    if (m == "hold")
        return runHold(args);
    std::fprintf(stderr, "unknown mode %s\n", m.c_str());
    return 2;
}

// SPDX-License-Identifier: GPL-3.0-or-later
// The Kubernetes manifests give the agent what it needs and nothing more: read-only host
// mounts of cgroups, /proc and /dev/kmsg, CAP_SYSLOG only, no privileged mode, the token and
// TLS files from the Secret, and arguments the agent's own parser accepts.
#include "agentoptions.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

// FEEDS_DATA is tests/feeds/data of this source tree.
const QString kDir = QStringLiteral(FEEDS_DATA "/../../../installers/kubernetes/");

// YAML → JSON through python3-yaml (a YAML reader is not worth writing for a test).
QJsonArray loadYaml(const QString &file, QString *error)
{
    QProcess py;
    py.start(
        u"python3"_s,
        {u"-c"_s,
         u"import sys, json, yaml; json.dump([d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None], sys.stdout)"_s,
         kDir + file});
    if (!py.waitForFinished(20000) || py.exitCode() != 0) {
        *error = QString::fromUtf8(py.readAllStandardError());
        return {};
    }
    return QJsonDocument::fromJson(py.readAllStandardOutput()).array();
}

QJsonObject byKind(const QJsonArray &docs, const QString &kind)
{
    for (const QJsonValue &d : docs) {
        if (d.toObject().value("kind"_L1).toString() == kind)
            return d.toObject();
    }
    return {};
}

QJsonObject named(const QJsonArray &list, const QString &name)
{
    for (const QJsonValue &v : list) {
        if (v.toObject().value("name"_L1).toString() == name)
            return v.toObject();
    }
    return {};
}

} // namespace

class TestKubernetesManifests : public QObject
{
    Q_OBJECT

    // --kubelet-url needs the service account's token and CA where the agent looks by default,
    // and GET on nodes/proxy (how the kubelet authorises /pods) for that account alone.
    static void checkKubeletAccess(const QJsonArray &docs, const QJsonArray &volumes,
                                   const QJsonArray &mounts, const QString &account)
    {
        const QJsonObject role = byKind(docs, u"ClusterRole"_s);
        const QJsonArray rules = role.value("rules"_L1).toArray();
        QCOMPARE(rules.size(), 1);
        QCOMPARE(rules[0]["resources"_L1].toArray(), QJsonArray({u"nodes/proxy"_s}));
        QCOMPARE(rules[0]["verbs"_L1].toArray(), QJsonArray({u"get"_s}));
        const QJsonObject binding = byKind(docs, u"ClusterRoleBinding"_s);
        QCOMPARE(binding.value("roleRef"_L1)["name"_L1].toString(),
                 role.value("metadata"_L1)["name"_L1].toString());
        const QJsonArray subjects = binding.value("subjects"_L1).toArray();
        QCOMPARE(subjects.size(), 1);
        QCOMPARE(subjects[0]["name"_L1].toString(), account);
        QCOMPARE(subjects[0]["namespace"_L1].toString(), u"oomscope"_s);
        QJsonObject projected;
        for (const QJsonValue &v : volumes) {
            if (v.toObject().contains("projected"_L1))
                projected = v.toObject();
        }
        const QJsonObject mount = named(mounts, projected.value("name"_L1).toString());
        QCOMPARE(mount.value("mountPath"_L1).toString(), u"/var/run/secrets/kubernetes.io/serviceaccount"_s);
        QVERIFY(mount.value("readOnly"_L1).toBool());
        QStringList paths;
        for (const QJsonValue &source : projected.value("projected"_L1)["sources"_L1].toArray()) {
            paths << source["serviceAccountToken"_L1]["path"_L1].toString();
            for (const QJsonValue &item : source["configMap"_L1]["items"_L1].toArray())
                paths << item["path"_L1].toString();
        }
        QVERIFY2(paths.contains(u"token"_s) && paths.contains(u"ca.crt"_s), qPrintable(paths.join(u',')));
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(u"python3"_s).isEmpty())
            QSKIP("python3 is not installed");
        if (QProcess::execute(u"python3"_s, {u"-c"_s, u"import yaml"_s}) != 0)
            QSKIP("python3-yaml is not installed");
    }

    void daemonSetGivesTheAgentWhatItNeeds()
    {
        QString error;
        const QJsonArray docs = loadYaml(u"daemonset.yaml"_s, &error);
        QVERIFY2(!docs.isEmpty(), qPrintable(error));
        QCOMPARE(byKind(docs, u"Namespace"_s).value("metadata"_L1)["name"_L1].toString(), u"oomscope"_s);
        const QJsonObject sa = byKind(docs, u"ServiceAccount"_s);
        QCOMPARE(sa.value("metadata"_L1)["namespace"_L1].toString(), u"oomscope"_s);
        const QJsonObject ds = byKind(docs, u"DaemonSet"_s);
        QCOMPARE(ds.value("metadata"_L1)["namespace"_L1].toString(), u"oomscope"_s);

        const QJsonObject tmpl = ds.value("spec"_L1)["template"_L1].toObject();
        const QJsonObject annotations = tmpl.value("metadata"_L1)["annotations"_L1].toObject();
        QCOMPARE(annotations.value("prometheus.io/scrape"_L1).toString(), u"true"_s);
        QCOMPARE(annotations.value("prometheus.io/port"_L1).toString(), u"9464"_s);
        QCOMPARE(annotations.value("prometheus.io/scheme"_L1).toString(), u"https"_s);
        QCOMPARE(annotations.value("prometheus.io/path"_L1).toString(), u"/metrics"_s);

        const QJsonObject pod = tmpl.value("spec"_L1).toObject();
        QCOMPARE(pod.value("serviceAccountName"_L1).toString(),
                 sa.value("metadata"_L1)["name"_L1].toString());
        QVERIFY(!pod.value("hostNetwork"_L1).toBool());
        QVERIFY(!pod.value("hostPID"_L1).toBool());
        const QJsonArray containers = pod.value("containers"_L1).toArray();
        QCOMPARE(containers.size(), 1);
        const QJsonObject c = containers.at(0).toObject();

        const QJsonObject sc = c.value("securityContext"_L1).toObject();
        QVERIFY(!sc.value("privileged"_L1).toBool());
        QVERIFY(!pod.value("securityContext"_L1)["privileged"_L1].toBool());
        QCOMPARE(sc.value("allowPrivilegeEscalation"_L1), QJsonValue(false));
        QCOMPARE(sc.value("readOnlyRootFilesystem"_L1), QJsonValue(true));
        QCOMPARE(sc.value("capabilities"_L1)["drop"_L1].toArray(), QJsonArray({u"ALL"_s}));
        QCOMPARE(sc.value("capabilities"_L1)["add"_L1].toArray(), QJsonArray({u"SYSLOG"_s}));

        QVERIFY(c.value("resources"_L1)["requests"_L1]["memory"_L1].isString());
        QVERIFY(c.value("resources"_L1)["limits"_L1]["memory"_L1].isString());
        QVERIFY(c.value("readinessProbe"_L1).isObject());

        // Every host path is mounted read-only where the arguments say.
        const QJsonArray volumes = pod.value("volumes"_L1).toArray();
        const QJsonArray mounts = c.value("volumeMounts"_L1).toArray();
        auto mountOfHostPath = [&](const QString &hostPath, QString *type) -> QJsonObject {
            for (const QJsonValue &v : volumes) {
                const QJsonObject hp = v.toObject().value("hostPath"_L1).toObject();
                if (hp.value("path"_L1).toString() == hostPath) {
                    *type = hp.value("type"_L1).toString();
                    return named(mounts, v.toObject().value("name"_L1).toString());
                }
            }
            return {};
        };
        int hostPaths = 0;
        for (const QJsonValue &v : volumes)
            hostPaths += v.toObject().contains("hostPath"_L1) ? 1 : 0;
        QCOMPARE(hostPaths, 3); // nothing but these three from the host
        QString type;
        const QJsonObject cgroup = mountOfHostPath(u"/sys/fs/cgroup"_s, &type);
        QCOMPARE(cgroup.value("mountPath"_L1).toString(), u"/host/sys/fs/cgroup"_s);
        QCOMPARE(cgroup.value("readOnly"_L1), QJsonValue(true));
        const QJsonObject proc = mountOfHostPath(u"/proc"_s, &type);
        QCOMPARE(proc.value("mountPath"_L1).toString(), u"/host/proc"_s);
        QCOMPARE(proc.value("readOnly"_L1), QJsonValue(true));
        const QJsonObject kmsg = mountOfHostPath(u"/dev/kmsg"_s, &type);
        QCOMPARE(type, u"CharDevice"_s);
        QCOMPARE(kmsg.value("mountPath"_L1).toString(), u"/dev/kmsg"_s);
        QCOMPARE(kmsg.value("readOnly"_L1), QJsonValue(true));

        // The arguments, checked by the agent's own parser.
        // Kubernetes expands $(NODE_IP) from the container's env: the node's address (status.hostIP).
        bool nodeIpFromHost = false;
        for (const QJsonValue &e : c.value("env"_L1).toArray()) {
            nodeIpFromHost |= e["name"_L1].toString() == u"NODE_IP"
                && e["valueFrom"_L1]["fieldRef"_L1]["fieldPath"_L1].toString() == u"status.hostIP";
        }
        QVERIFY(nodeIpFromHost);
        QStringList args {u"oomscope-agent"_s};
        for (const QJsonValue &a : c.value("args"_L1).toArray())
            args << a.toString().replace(u"$(NODE_IP)"_s, u"10.0.0.7"_s);
        auto argAfter = [&](const QString &flag) {
            return args.value(args.indexOf(flag) + 1);
        };
        QCOMPARE(argAfter(u"--cgroup-root"_s), u"/host/sys/fs/cgroup"_s);
        QCOMPARE(argAfter(u"--proc-root"_s), u"/host/proc"_s);
        QCOMPARE(argAfter(u"--listen"_s), u"0.0.0.0:9464"_s);
        const oomscope::Result<oomscope::AgentCommand> command = oomscope::parseAgentArguments(args);
        QVERIFY2(command, qPrintable(command ? QString() : command.error().message));
        const std::optional<oomscope::AgentOptions> options = command->options;
        QCOMPARE(options->listenPort, quint16(9464));
        QVERIFY(!options->listenAddress.isLoopback());
        QVERIFY(options->tls());
        QCOMPARE(c.value("ports"_L1)[0]["containerPort"_L1].toInt(), 9464);
        QCOMPARE(options->kubeletUrl, u"https://10.0.0.7:10250"_s);
        checkKubeletAccess(docs, volumes, mounts, sa.value("metadata"_L1)["name"_L1].toString());

        // Token and TLS files come from the Secret's keys, mounted read-only.
        QJsonObject secretVolume;
        for (const QJsonValue &v : volumes) {
            if (v.toObject().contains("secret"_L1))
                secretVolume = v.toObject();
        }
        const QString secretMount =
            named(mounts, secretVolume.value("name"_L1).toString()).value("mountPath"_L1).toString();
        QVERIFY(!secretMount.isEmpty());
        QVERIFY(named(mounts, secretVolume.value("name"_L1).toString()).value("readOnly"_L1).toBool());
        const QJsonArray secrets = loadYaml(u"secret-example.yaml"_s, &error);
        const QJsonObject secret = byKind(secrets, u"Secret"_s);
        QCOMPARE(secret.value("metadata"_L1)["name"_L1].toString(),
                 secretVolume.value("secret"_L1)["secretName"_L1].toString());
        QCOMPARE(secret.value("metadata"_L1)["namespace"_L1].toString(), u"oomscope"_s);
        const QJsonObject data = secret.value("stringData"_L1).toObject();
        for (const QString &file : {options->tokenFile, options->tlsCertFile, options->tlsKeyFile}) {
            QVERIFY2(file.startsWith(secretMount + u'/'), qPrintable(file));
            QVERIFY2(data.contains(file.mid(secretMount.size() + 1)), qPrintable(file));
        }
    }

    void containerfileBuildsOnlyTheAgent()
    {
        QFile f(kDir + u"Containerfile"_s);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QVERIFY(text.contains("FROM docker.io/library/debian:12-slim AS build"));
        QVERIFY(text.contains("--target oomscope-agent"));
        QVERIFY(text.contains("-DOOMSCOPE_BUILD_GUI=OFF"));
        QCOMPARE(text.count("\nFROM "), 2); // build and runtime stages
        const QByteArray runtime = text.mid(text.lastIndexOf("\nFROM "));
        QVERIFY(!runtime.contains("-dev"));
        QVERIFY(runtime.contains("libqt6network6"));
    }
};

QTEST_GUILESS_MAIN(TestKubernetesManifests)
#include "tst_kubernetes_manifests.moc"

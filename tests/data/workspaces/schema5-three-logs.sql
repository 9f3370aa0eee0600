-- A workspace written by oomscope at schema version 5 (commit 70a3b04, before raw_reports), as
-- `sqlite3 W.sqlite .dump` printed it after `oomscope-cli import --db W.sqlite` of
-- eras/08-ubuntu22.04-5.15-mixed-interleaved.syslog.log, real/oomanalyser-rhel7-3.10-global-numa-012.log
-- and e2e/kmsg-6.18-memcg-v1-shmem-oomkill.kmsg. .dump leaves out the two PRAGMAs at the end.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE sources (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    content_hash  TEXT    NOT NULL UNIQUE,   -- XXH3-128 hex of the uncompressed bytes
    bytes         INTEGER NOT NULL,
    lines         INTEGER NOT NULL DEFAULT 0,
    imported_at   TEXT    NOT NULL           -- ISO 8601 UTC with milliseconds
, kind TEXT NOT NULL DEFAULT 'log');
INSERT INTO sources VALUES(1,'08-ubuntu22.04-5.15-mixed-interleaved.syslog.log','986ed3b129f174a46759643376752cc1',16469,160,'2026-12-03T07:41:06.447Z','log');
INSERT INTO sources VALUES(2,'oomanalyser-rhel7-3.10-global-numa-012.log','d051a5f8204a73df654ae0088a991647',11960,144,'2026-12-03T07:41:06.469Z','log');
INSERT INTO sources VALUES(3,'kmsg-6.18-memcg-v1-shmem-oomkill.kmsg','a8e99226aae733384c5357c6c36a81be',4735,81,'2026-12-03T07:41:06.470Z','log');
CREATE TABLE events (
    id                       INTEGER PRIMARY KEY,
    source_id                INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    first_line               INTEGER NOT NULL,
    last_line                INTEGER NOT NULL,
    host                     TEXT,
    wall_time                TEXT,      -- ISO 8601 with ms, offset kept as parsed
    wall_time_ms             INTEGER,   -- ms since the epoch, for sorting and range queries
    uptime_s                 REAL,
    prefix_style             TEXT NOT NULL,
    trigger_comm             TEXT,
    trigger_pid              INTEGER NOT NULL,
    gfp_mask                 TEXT,
    alloc_order              INTEGER NOT NULL,
    trigger_oom_score_adj    INTEGER,
    trigger_uses_old_oom_adj INTEGER NOT NULL,
    kernel_release           TEXT,
    cpuset                   TEXT,
    mems_allowed             TEXT,
    oom_constraint           TEXT NOT NULL,   -- constraintName(): global, memcg, cpuset, mempolicy, unknown
    oom_memcg                TEXT,
    task_memcg               TEXT,
    memory_present           INTEGER NOT NULL,
    usage_kb                 INTEGER NOT NULL,
    limit_kb                 INTEGER NOT NULL,
    failcnt                  INTEGER NOT NULL,
    memsw_present            INTEGER NOT NULL,
    memsw_usage_kb           INTEGER NOT NULL,
    memsw_limit_kb           INTEGER NOT NULL,
    memsw_failcnt            INTEGER NOT NULL,
    kmem_present             INTEGER NOT NULL,
    kmem_usage_kb            INTEGER NOT NULL,
    kmem_limit_kb            INTEGER NOT NULL,
    kmem_failcnt             INTEGER NOT NULL,
    swap_present             INTEGER NOT NULL,
    swap_usage_kb            INTEGER NOT NULL,
    swap_limit_kb            INTEGER NOT NULL,
    swap_failcnt             INTEGER NOT NULL,
    memcg_stats_path         TEXT,
    ram_pages                INTEGER,
    reserved_pages           INTEGER,
    managed_kb_sum           INTEGER,
    total_swap_kb            INTEGER,
    free_swap_kb             INTEGER,
    page_size_bytes          INTEGER NOT NULL,
    layout                   TEXT NOT NULL,
    has_tasks_state_line     INTEGER NOT NULL,
    selected_pid             INTEGER,
    selected_comm            TEXT,
    selected_score           INTEGER,
    has_summary_line         INTEGER NOT NULL,
    summary_pid              INTEGER,
    summary_uid              INTEGER,
    summary_comm             TEXT,
    victim_present           INTEGER NOT NULL,
    victim_pid               INTEGER NOT NULL,
    victim_comm              TEXT,
    victim_uid               INTEGER,
    victim_total_vm_kb       INTEGER NOT NULL,
    victim_anon_rss_kb       INTEGER NOT NULL,
    victim_file_rss_kb       INTEGER NOT NULL,
    victim_shmem_rss_kb      INTEGER,
    victim_pgtables_kb       INTEGER,
    victim_oom_score_adj     INTEGER,   -- as printed on the kill line
    victim_message           TEXT,
    victim_line              INTEGER NOT NULL,
    victim_adj               INTEGER,   -- kill line, else the victim's task-table row
    oom_group                INTEGER NOT NULL,
    oom_group_memcg          TEXT,
    reaped_pid               INTEGER,
    complete                 INTEGER NOT NULL,
    missing                  TEXT,      -- JSON array of strings
    kernel_format            TEXT,
    -- Computed at import by decideKill().
    totalpages               INTEGER NOT NULL,
    totalpages_exact         INTEGER NOT NULL,
    badness_era              TEXT    NOT NULL,
    kernel_selected_pid      INTEGER NOT NULL,
    recomputed_selected_pid  INTEGER,
    agrees                   INTEGER NOT NULL
);
INSERT INTO events VALUES(1,1,3,76,'k8s-node-11','2026-11-19T03:12:44.000',1795057964000,812344.80291299999222,'syslog','gunicorn',17230,'0x1100cca(GFP_HIGHUSER_MOVABLE)',0,985,0,'5.15.0-1072-aws','cri-containerd-2689923c2d9956236192d04a55e3924f9a30e2c9d2150f4444f405d87bbde4ca.scope','0','memcg','/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f9b2c71_0a4e_4d6b_8c1f_77e2d5a9b013.slice/cri-containerd-2689923c2d9956236192d04a55e3924f9a30e2c9d2150f4444f405d87bbde4ca.scope','/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f9b2c71_0a4e_4d6b_8c1f_77e2d5a9b013.slice/cri-containerd-2689923c2d9956236192d04a55e3924f9a30e2c9d2150f4444f405d87bbde4ca.scope',1,262144,262144,412,0,0,0,0,0,0,0,0,1,0,0,0,'/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f9b2c71_0a4e_4d6b_8c1f_77e2d5a9b013.slice/cri-containerd-2689923c2d9956236192d04a55e3924f9a30e2c9d2150f4444f405d87bbde4ca.scope',NULL,NULL,NULL,NULL,NULL,4096,'pgtables_bytes',1,NULL,'',NULL,1,17230,1000,'gunicorn',1,17230,'gunicorn',1000,392884,132480,5280,0,296,985,'Memory cgroup out of memory',76,985,0,'',NULL,1,'[]','4.19 – 6.7 (pgtables_bytes)',65536,1,'5.9+',17230,17230,1);
INSERT INTO events VALUES(2,1,80,158,'k8s-node-11','2026-11-19T03:13:25.000',1795058005000,812385.66100199997889,'syslog','celery',20146,'0x1100cca(GFP_HIGHUSER_MOVABLE)',0,937,0,'5.15.0-1072-aws','cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope','0','memcg','/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda51c0e98_6d2f_4b7a_9e35_1c8d4f0b2e66.slice/cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope','/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda51c0e98_6d2f_4b7a_9e35_1c8d4f0b2e66.slice/cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope',1,524288,524288,95,0,0,0,0,0,0,0,0,1,0,0,0,'/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda51c0e98_6d2f_4b7a_9e35_1c8d4f0b2e66.slice/cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope',NULL,NULL,NULL,NULL,NULL,4096,'pgtables_bytes',1,NULL,'',NULL,1,20145,1000,'celery',1,20145,'celery',1000,487520,220840,6040,0,476,937,'Memory cgroup out of memory',154,937,1,'/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda51c0e98_6d2f_4b7a_9e35_1c8d4f0b2e66.slice/cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope',NULL,1,'[]','4.19 – 6.7 (pgtables_bytes)',131072,1,'5.9+',20145,20145,1);
INSERT INTO events VALUES(3,2,1,144,'',NULL,NULL,NULL,'none','sed',29481,'0x201da',0,0,0,'3.10.0-514.6.1.el7.x86_64','/','0-1','global','','',0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,'',8379834,192987,32747388,8388604,0,4096,'nr_ptes',0,6576,'mysqld',651,0,NULL,NULL,'',1,6576,'mysqld',NULL,33914892,20629004,0,0,NULL,NULL,'',144,0,0,'',NULL,1,'[]','3.10 / RHEL 7 (nr_ptes)',10283998,1,'3.10',6576,6576,1);
INSERT INTO events VALUES(4,3,1,81,'',NULL,NULL,16501.922722999999678,'kmsg','oomscope_shmem_',5740,'0xcc0(GFP_KERNEL)',0,0,0,'6.18.44-fc-v1098','/','0','memcg','/oomscope-anatomy-5738-b4f8c91f','/oomscope-anatomy-5738-b4f8c91f',1,65536,65536,0,1,65536,65536,0,1,212,9007199254740988,0,0,0,0,0,'/oomscope-anatomy-5738-b4f8c91f',NULL,NULL,NULL,NULL,NULL,4096,'rss_split',1,NULL,'',NULL,1,5740,0,'oomscope_shmem_',1,5740,'oomscope_shmem_',0,31284,24320,2324,0,96,0,'Memory cgroup out of memory',81,0,0,'',NULL,1,'[]','6.8+ (rss_anon columns)',16384,1,'5.9+',5740,5740,1);
CREATE TABLE tasks (
    event_id         INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    ord              INTEGER NOT NULL,
    pid              INTEGER NOT NULL,
    uid              INTEGER NOT NULL,
    tgid             INTEGER NOT NULL,
    total_vm_pages   INTEGER NOT NULL,
    rss_pages        INTEGER NOT NULL,
    rss_anon_pages   INTEGER,
    rss_file_pages   INTEGER,
    rss_shmem_pages  INTEGER,
    nr_ptes          INTEGER,
    nr_pmds          INTEGER,
    pgtables_bytes   INTEGER,
    swapents_pages   INTEGER NOT NULL,
    oom_score_adj    INTEGER NOT NULL,
    comm             TEXT,
    line             INTEGER NOT NULL,
    PRIMARY KEY (event_id, ord)
) WITHOUT ROWID;
INSERT INTO tasks VALUES(1,0,17201,1000,17201,42310,6520,NULL,NULL,NULL,NULL,NULL,106496,0,985,'gunicorn',72);
INSERT INTO tasks VALUES(1,1,17230,1000,17230,98221,34440,NULL,NULL,NULL,NULL,NULL,303104,0,985,'gunicorn',73);
INSERT INTO tasks VALUES(1,2,17231,1000,17231,90110,25800,NULL,NULL,NULL,NULL,NULL,270336,0,985,'gunicorn',74);
INSERT INTO tasks VALUES(2,0,20110,1000,20110,61234,17000,NULL,NULL,NULL,NULL,NULL,225280,0,937,'celery',149);
INSERT INTO tasks VALUES(2,1,20145,1000,20145,121880,56720,NULL,NULL,NULL,NULL,NULL,487424,0,937,'celery',151);
INSERT INTO tasks VALUES(2,2,20146,1000,20146,119302,54400,NULL,NULL,NULL,NULL,NULL,471040,0,937,'celery',152);
INSERT INTO tasks VALUES(3,0,390,0,390,39012,6739,NULL,NULL,NULL,78,NULL,NULL,51,0,'systemd-journal',58);
INSERT INTO tasks VALUES(3,1,433,0,433,11104,2,NULL,NULL,NULL,22,NULL,NULL,360,-1000,'systemd-udevd',59);
INSERT INTO tasks VALUES(3,2,530,0,530,13854,28,NULL,NULL,NULL,27,NULL,NULL,83,-1000,'auditd',60);
INSERT INTO tasks VALUES(3,3,559,0,559,7692,65,NULL,NULL,NULL,19,NULL,NULL,87,0,'systemd-logind',61);
INSERT INTO tasks VALUES(3,4,563,0,563,4817,41,NULL,NULL,NULL,14,NULL,NULL,36,0,'irqbalance',62);
INSERT INTO tasks VALUES(3,5,569,87,569,7684,52,NULL,NULL,NULL,20,NULL,NULL,48,-900,'dbus-daemon',63);
INSERT INTO tasks VALUES(3,6,587,32,587,16240,17,NULL,NULL,NULL,34,NULL,NULL,116,0,'rpcbind',64);
INSERT INTO tasks VALUES(3,7,647,0,647,50303,11,NULL,NULL,NULL,36,NULL,NULL,113,0,'gssproxy',65);
INSERT INTO tasks VALUES(3,8,796,0,796,193856,2897,NULL,NULL,NULL,207,NULL,NULL,112,0,'rsyslogd',66);
INSERT INTO tasks VALUES(3,9,818,0,818,13177,0,NULL,NULL,NULL,27,NULL,NULL,146,0,'vsftpd',67);
INSERT INTO tasks VALUES(3,10,840,0,840,62892,9,NULL,NULL,NULL,36,NULL,NULL,103,0,'ypbind',68);
INSERT INTO tasks VALUES(3,11,868,0,868,21663,28,NULL,NULL,NULL,43,NULL,NULL,191,-1000,'sshd',69);
INSERT INTO tasks VALUES(3,12,871,29,871,11126,2,NULL,NULL,NULL,25,NULL,NULL,222,0,'rpc.statd',70);
INSERT INTO tasks VALUES(3,13,907,0,907,8044,4,NULL,NULL,NULL,21,NULL,NULL,53,0,'atd',71);
INSERT INTO tasks VALUES(3,14,916,0,916,27509,2,NULL,NULL,NULL,10,NULL,NULL,30,0,'agetty',72);
INSERT INTO tasks VALUES(3,15,934,0,934,27509,2,NULL,NULL,NULL,10,NULL,NULL,31,0,'agetty',73);
INSERT INTO tasks VALUES(3,16,1255,0,1255,45716,1,NULL,NULL,NULL,39,NULL,NULL,337,0,'rscd',74);
INSERT INTO tasks VALUES(3,17,1268,0,1268,45746,28,NULL,NULL,NULL,38,NULL,NULL,353,0,'rscd',75);
INSERT INTO tasks VALUES(3,18,1269,0,1269,45716,29,NULL,NULL,NULL,38,NULL,NULL,311,0,'rscd',76);
INSERT INTO tasks VALUES(3,19,1285,0,1285,23290,25,NULL,NULL,NULL,45,NULL,NULL,235,0,'master',77);
INSERT INTO tasks VALUES(3,20,1287,89,1287,23379,52,NULL,NULL,NULL,47,NULL,NULL,242,0,'qmgr',78);
INSERT INTO tasks VALUES(3,21,1830,0,1830,446643,959,NULL,NULL,NULL,68,NULL,NULL,1234,0,'ovcd',79);
INSERT INTO tasks VALUES(3,22,2062,0,2062,144894,511,NULL,NULL,NULL,37,NULL,NULL,309,0,'ovbbccb',80);
INSERT INTO tasks VALUES(3,23,2121,0,2121,33138,26,NULL,NULL,NULL,19,NULL,NULL,138,0,'crond',81);
INSERT INTO tasks VALUES(3,24,2136,38,2136,7846,40,NULL,NULL,NULL,19,NULL,NULL,88,0,'ntpd',82);
INSERT INTO tasks VALUES(3,25,2451,0,2451,177827,0,NULL,NULL,NULL,36,NULL,NULL,816,0,'ovconfd',83);
INSERT INTO tasks VALUES(3,26,8145,0,8145,300303,1616,NULL,NULL,NULL,58,NULL,NULL,692,0,'hpsensor',84);
INSERT INTO tasks VALUES(3,27,8204,0,8204,31508,119,NULL,NULL,NULL,31,NULL,NULL,328,0,'opcmsgi',85);
INSERT INTO tasks VALUES(3,28,8405,0,8405,201479,1289,NULL,NULL,NULL,49,NULL,NULL,244,0,'opcmsga',86);
INSERT INTO tasks VALUES(3,29,8472,0,8472,134080,236,NULL,NULL,NULL,46,NULL,NULL,514,0,'opcmona',87);
INSERT INTO tasks VALUES(3,30,8596,0,8596,31377,172,NULL,NULL,NULL,29,NULL,NULL,301,0,'opcle',88);
INSERT INTO tasks VALUES(3,31,8658,0,8658,81199,124,NULL,NULL,NULL,34,NULL,NULL,336,0,'opcacta',89);
INSERT INTO tasks VALUES(3,32,8685,0,8685,137169,23313,NULL,NULL,NULL,97,NULL,NULL,3256,0,'oacore',90);
INSERT INTO tasks VALUES(3,33,6330,12345,6330,7520,15,NULL,NULL,NULL,18,NULL,NULL,61,0,'rotatelogs',91);
INSERT INTO tasks VALUES(3,34,6331,12345,6331,28318,0,NULL,NULL,NULL,12,NULL,NULL,83,0,'run.sh',92);
INSERT INTO tasks VALUES(3,35,6576,12345,6576,8478546,5157063,NULL,NULL,NULL,15483,NULL,NULL,1527848,0,'mysqld',93);
INSERT INTO tasks VALUES(3,36,27171,12345,27171,7522,10,NULL,NULL,NULL,18,NULL,NULL,58,0,'rotatelogs',94);
INSERT INTO tasks VALUES(3,37,27172,12345,27172,28320,3,NULL,NULL,NULL,11,NULL,NULL,94,0,'run.sh',95);
INSERT INTO tasks VALUES(3,38,27502,12345,27502,4029300,2716569,NULL,NULL,NULL,6505,NULL,NULL,226225,0,'java',96);
INSERT INTO tasks VALUES(3,39,11729,0,11729,64122,5003,NULL,NULL,NULL,79,NULL,NULL,2465,0,'snmpd',97);
INSERT INTO tasks VALUES(3,40,12130,0,12130,122202,565,NULL,NULL,NULL,29,NULL,NULL,175,0,'hpasmlited',98);
INSERT INTO tasks VALUES(3,41,12166,0,12166,11905,89,NULL,NULL,NULL,24,NULL,NULL,121,0,'cmahealthd',99);
INSERT INTO tasks VALUES(3,42,12190,0,12190,11871,89,NULL,NULL,NULL,24,NULL,NULL,119,0,'cmastdeqd',100);
INSERT INTO tasks VALUES(3,43,12214,0,12214,13707,84,NULL,NULL,NULL,31,NULL,NULL,211,0,'cmahostd',101);
INSERT INTO tasks VALUES(3,44,12237,0,12237,12493,38,NULL,NULL,NULL,28,NULL,NULL,352,0,'cmathreshd',102);
INSERT INTO tasks VALUES(3,45,12276,0,12276,12368,45,NULL,NULL,NULL,30,NULL,NULL,210,0,'cmasm2d',103);
INSERT INTO tasks VALUES(3,46,12299,0,12299,12485,43,NULL,NULL,NULL,26,NULL,NULL,282,0,'cmaperfd',104);
INSERT INTO tasks VALUES(3,47,12324,0,12324,31932,184,NULL,NULL,NULL,31,NULL,NULL,143,0,'cmapeerd',105);
INSERT INTO tasks VALUES(3,48,12352,0,12352,14280,48,NULL,NULL,NULL,32,NULL,NULL,169,0,'cmaeventd',106);
INSERT INTO tasks VALUES(3,49,12379,0,12379,14831,26,NULL,NULL,NULL,30,NULL,NULL,198,0,'cmafcad',107);
INSERT INTO tasks VALUES(3,50,12407,0,12407,11806,12,NULL,NULL,NULL,25,NULL,NULL,128,0,'cmasasd',108);
INSERT INTO tasks VALUES(3,51,12436,0,12436,14364,86,NULL,NULL,NULL,31,NULL,NULL,181,0,'cmaidad',109);
INSERT INTO tasks VALUES(3,52,12463,0,12463,11288,15,NULL,NULL,NULL,25,NULL,NULL,125,0,'cmaided',110);
INSERT INTO tasks VALUES(3,53,12492,0,12492,11805,14,NULL,NULL,NULL,26,NULL,NULL,127,0,'cmascsid',111);
INSERT INTO tasks VALUES(3,54,12523,0,12523,92228,129,NULL,NULL,NULL,63,NULL,NULL,433,0,'cmanicd',112);
INSERT INTO tasks VALUES(3,55,14002,0,14002,11803,12,NULL,NULL,NULL,25,NULL,NULL,128,0,'cmasm2d',113);
INSERT INTO tasks VALUES(3,56,32615,0,32615,36254,323,NULL,NULL,NULL,73,NULL,NULL,7,0,'sshd',114);
INSERT INTO tasks VALUES(3,57,894,12345,894,36254,328,NULL,NULL,NULL,70,NULL,NULL,5,0,'sshd',115);
INSERT INTO tasks VALUES(3,58,895,12345,895,3389,123,NULL,NULL,NULL,11,NULL,NULL,0,0,'ksh',116);
INSERT INTO tasks VALUES(3,59,10620,0,10620,36254,328,NULL,NULL,NULL,72,NULL,NULL,0,0,'sshd',117);
INSERT INTO tasks VALUES(3,60,10634,38714,10634,36290,329,NULL,NULL,NULL,70,NULL,NULL,8,0,'sshd',118);
INSERT INTO tasks VALUES(3,61,10635,38714,10635,14221,25,NULL,NULL,NULL,31,NULL,NULL,124,0,'sftp-server',119);
INSERT INTO tasks VALUES(3,62,29021,0,29021,36254,314,NULL,NULL,NULL,69,NULL,NULL,0,0,'sshd',120);
INSERT INTO tasks VALUES(3,63,29025,12345,29025,36254,316,NULL,NULL,NULL,67,NULL,NULL,0,0,'sshd',121);
INSERT INTO tasks VALUES(3,64,29026,12345,29026,29286,96,NULL,NULL,NULL,12,NULL,NULL,1,0,'ksh',122);
INSERT INTO tasks VALUES(3,65,29051,12345,29051,29494,330,NULL,NULL,NULL,12,NULL,NULL,74,0,'svr05',123);
INSERT INTO tasks VALUES(3,66,29979,12345,29979,1666,42,NULL,NULL,NULL,9,NULL,NULL,0,0,'less',124);
INSERT INTO tasks VALUES(3,67,29662,89,29662,23316,258,NULL,NULL,NULL,43,NULL,NULL,0,0,'pickup',125);
INSERT INTO tasks VALUES(3,68,26065,89,26065,23317,256,NULL,NULL,NULL,45,NULL,NULL,0,0,'trivial-rewrite',126);
INSERT INTO tasks VALUES(3,69,26066,89,26066,23353,265,NULL,NULL,NULL,45,NULL,NULL,0,0,'cleanup',127);
INSERT INTO tasks VALUES(3,70,26067,89,26067,23368,271,NULL,NULL,NULL,45,NULL,NULL,0,0,'smtp',128);
INSERT INTO tasks VALUES(3,71,26743,0,26743,36254,314,NULL,NULL,NULL,68,NULL,NULL,0,0,'sshd',129);
INSERT INTO tasks VALUES(3,72,26937,12345,26937,36254,314,NULL,NULL,NULL,67,NULL,NULL,0,0,'sshd',130);
INSERT INTO tasks VALUES(3,73,26938,12345,26938,29286,96,NULL,NULL,NULL,11,NULL,NULL,0,0,'ksh',131);
INSERT INTO tasks VALUES(3,74,27122,12345,27122,29494,459,NULL,NULL,NULL,12,NULL,NULL,0,0,'svr05',132);
INSERT INTO tasks VALUES(3,75,28657,0,28657,36254,314,NULL,NULL,NULL,74,NULL,NULL,0,0,'sshd',133);
INSERT INTO tasks VALUES(3,76,28702,12345,28702,36254,314,NULL,NULL,NULL,72,NULL,NULL,0,0,'sshd',134);
INSERT INTO tasks VALUES(3,77,28703,12345,28703,29286,97,NULL,NULL,NULL,11,NULL,NULL,0,0,'ksh',135);
INSERT INTO tasks VALUES(3,78,28993,0,28993,36254,314,NULL,NULL,NULL,72,NULL,NULL,0,0,'sshd',136);
INSERT INTO tasks VALUES(3,79,28996,12345,28996,29526,531,NULL,NULL,NULL,12,NULL,NULL,0,0,'svr05',137);
INSERT INTO tasks VALUES(3,80,29006,12345,29006,36254,314,NULL,NULL,NULL,69,NULL,NULL,0,0,'sshd',138);
INSERT INTO tasks VALUES(3,81,29007,12345,29007,29286,96,NULL,NULL,NULL,11,NULL,NULL,0,0,'ksh',139);
INSERT INTO tasks VALUES(3,82,29110,12345,29110,29558,745,NULL,NULL,NULL,12,NULL,NULL,0,0,'svr05',140);
INSERT INTO tasks VALUES(3,83,29481,12345,29481,29214,58,NULL,NULL,NULL,14,NULL,NULL,0,0,'sed',141);
INSERT INTO tasks VALUES(3,84,29752,12345,29752,7522,296,NULL,NULL,NULL,19,NULL,NULL,0,0,'rotatelogs',142);
INSERT INTO tasks VALUES(4,0,5740,0,5740,7821,6661,6080,581,0,NULL,NULL,98304,0,0,'oomscope_shmem_',79);
CREATE TABLE group_kills (
    event_id       INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    ord            INTEGER NOT NULL,
    pid            INTEGER NOT NULL,
    comm           TEXT,
    uid            INTEGER,
    total_vm_kb    INTEGER NOT NULL,
    anon_rss_kb    INTEGER NOT NULL,
    file_rss_kb    INTEGER NOT NULL,
    shmem_rss_kb   INTEGER,
    pgtables_kb    INTEGER,
    oom_score_adj  INTEGER,
    message        TEXT,
    line           INTEGER NOT NULL,
    PRIMARY KEY (event_id, ord)
) WITHOUT ROWID;
INSERT INTO group_kills VALUES(2,0,20110,'celery',1000,244936,56480,11520,0,220,937,'Memory cgroup out of memory',156);
INSERT INTO group_kills VALUES(2,1,20145,'celery',1000,487520,220840,6040,0,476,937,'Memory cgroup out of memory',157);
INSERT INTO group_kills VALUES(2,2,20146,'celery',1000,477208,211560,6040,0,460,937,'Memory cgroup out of memory',158);
CREATE TABLE memcg_stats (
    event_id  INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    ord       INTEGER NOT NULL,
    key       TEXT    NOT NULL,
    value     INTEGER NOT NULL,
    PRIMARY KEY (event_id, ord)
) WITHOUT ROWID;
INSERT INTO memcg_stats VALUES(1,0,'anon',253173760);
INSERT INTO memcg_stats VALUES(1,1,'file',11837440);
INSERT INTO memcg_stats VALUES(1,2,'kernel_stack',131072);
INSERT INTO memcg_stats VALUES(1,3,'pagetables',696320);
INSERT INTO memcg_stats VALUES(1,4,'percpu',49152);
INSERT INTO memcg_stats VALUES(1,5,'sock',0);
INSERT INTO memcg_stats VALUES(1,6,'shmem',0);
INSERT INTO memcg_stats VALUES(1,7,'file_mapped',5918720);
INSERT INTO memcg_stats VALUES(1,8,'file_dirty',0);
INSERT INTO memcg_stats VALUES(1,9,'file_writeback',0);
INSERT INTO memcg_stats VALUES(1,10,'swapcached',0);
INSERT INTO memcg_stats VALUES(1,11,'anon_thp',0);
INSERT INTO memcg_stats VALUES(1,12,'file_thp',0);
INSERT INTO memcg_stats VALUES(1,13,'shmem_thp',0);
INSERT INTO memcg_stats VALUES(1,14,'inactive_anon',135168);
INSERT INTO memcg_stats VALUES(1,15,'active_anon',253038592);
INSERT INTO memcg_stats VALUES(1,16,'inactive_file',5918720);
INSERT INTO memcg_stats VALUES(1,17,'active_file',5918720);
INSERT INTO memcg_stats VALUES(1,18,'unevictable',0);
INSERT INTO memcg_stats VALUES(1,19,'slab_reclaimable',1097728);
INSERT INTO memcg_stats VALUES(1,20,'slab_unreclaimable',1548288);
INSERT INTO memcg_stats VALUES(1,21,'slab',2646016);
INSERT INTO memcg_stats VALUES(1,22,'workingset_refault_anon',0);
INSERT INTO memcg_stats VALUES(1,23,'workingset_refault_file',913);
INSERT INTO memcg_stats VALUES(1,24,'workingset_activate_anon',0);
INSERT INTO memcg_stats VALUES(1,25,'workingset_activate_file',121);
INSERT INTO memcg_stats VALUES(1,26,'workingset_restore_anon',0);
INSERT INTO memcg_stats VALUES(1,27,'workingset_restore_file',77);
INSERT INTO memcg_stats VALUES(1,28,'workingset_nodereclaim',0);
INSERT INTO memcg_stats VALUES(1,29,'pgfault',991029);
INSERT INTO memcg_stats VALUES(1,30,'pgmajfault',41);
INSERT INTO memcg_stats VALUES(1,31,'pgrefill',3310);
INSERT INTO memcg_stats VALUES(1,32,'pgscan',22190);
INSERT INTO memcg_stats VALUES(1,33,'pgsteal',15020);
INSERT INTO memcg_stats VALUES(1,34,'pgactivate',70110);
INSERT INTO memcg_stats VALUES(1,35,'pgdeactivate',3120);
INSERT INTO memcg_stats VALUES(1,36,'pglazyfree',0);
INSERT INTO memcg_stats VALUES(1,37,'pglazyfreed',0);
INSERT INTO memcg_stats VALUES(1,38,'thp_fault_alloc',0);
INSERT INTO memcg_stats VALUES(1,39,'thp_collapse_alloc',0);
INSERT INTO memcg_stats VALUES(2,0,'anon',500613120);
INSERT INTO memcg_stats VALUES(2,1,'file',31948800);
INSERT INTO memcg_stats VALUES(2,2,'kernel_stack',147456);
INSERT INTO memcg_stats VALUES(2,3,'pagetables',1212416);
INSERT INTO memcg_stats VALUES(2,4,'percpu',49152);
INSERT INTO memcg_stats VALUES(2,5,'sock',0);
INSERT INTO memcg_stats VALUES(2,6,'shmem',0);
INSERT INTO memcg_stats VALUES(2,7,'file_mapped',15974400);
INSERT INTO memcg_stats VALUES(2,8,'file_dirty',0);
INSERT INTO memcg_stats VALUES(2,9,'file_writeback',0);
INSERT INTO memcg_stats VALUES(2,10,'swapcached',0);
INSERT INTO memcg_stats VALUES(2,11,'anon_thp',0);
INSERT INTO memcg_stats VALUES(2,12,'file_thp',0);
INSERT INTO memcg_stats VALUES(2,13,'shmem_thp',0);
INSERT INTO memcg_stats VALUES(2,14,'inactive_anon',135168);
INSERT INTO memcg_stats VALUES(2,15,'active_anon',500477952);
INSERT INTO memcg_stats VALUES(2,16,'inactive_file',15974400);
INSERT INTO memcg_stats VALUES(2,17,'active_file',15974400);
INSERT INTO memcg_stats VALUES(2,18,'unevictable',0);
INSERT INTO memcg_stats VALUES(2,19,'slab_reclaimable',1236992);
INSERT INTO memcg_stats VALUES(2,20,'slab_unreclaimable',1871872);
INSERT INTO memcg_stats VALUES(2,21,'slab',3108864);
INSERT INTO memcg_stats VALUES(2,22,'workingset_refault_anon',0);
INSERT INTO memcg_stats VALUES(2,23,'workingset_refault_file',914);
INSERT INTO memcg_stats VALUES(2,24,'workingset_activate_anon',0);
INSERT INTO memcg_stats VALUES(2,25,'workingset_activate_file',122);
INSERT INTO memcg_stats VALUES(2,26,'workingset_restore_anon',0);
INSERT INTO memcg_stats VALUES(2,27,'workingset_restore_file',77);
INSERT INTO memcg_stats VALUES(2,28,'workingset_nodereclaim',0);
INSERT INTO memcg_stats VALUES(2,29,'pgfault',991036);
INSERT INTO memcg_stats VALUES(2,30,'pgmajfault',41);
INSERT INTO memcg_stats VALUES(2,31,'pgrefill',3310);
INSERT INTO memcg_stats VALUES(2,32,'pgscan',22190);
INSERT INTO memcg_stats VALUES(2,33,'pgsteal',15020);
INSERT INTO memcg_stats VALUES(2,34,'pgactivate',70110);
INSERT INTO memcg_stats VALUES(2,35,'pgdeactivate',3120);
INSERT INTO memcg_stats VALUES(2,36,'pglazyfree',0);
INSERT INTO memcg_stats VALUES(2,37,'pglazyfreed',0);
INSERT INTO memcg_stats VALUES(2,38,'thp_fault_alloc',0);
INSERT INTO memcg_stats VALUES(2,39,'thp_collapse_alloc',0);
INSERT INTO memcg_stats VALUES(4,0,'cache',41943040);
INSERT INTO memcg_stats VALUES(4,1,'rss',24948736);
INSERT INTO memcg_stats VALUES(4,2,'rss_huge',0);
INSERT INTO memcg_stats VALUES(4,3,'shmem',41943040);
INSERT INTO memcg_stats VALUES(4,4,'mapped_file',0);
INSERT INTO memcg_stats VALUES(4,5,'dirty',0);
INSERT INTO memcg_stats VALUES(4,6,'writeback',0);
INSERT INTO memcg_stats VALUES(4,7,'workingset_refault_anon',0);
INSERT INTO memcg_stats VALUES(4,8,'workingset_refault_file',0);
INSERT INTO memcg_stats VALUES(4,9,'swap',0);
INSERT INTO memcg_stats VALUES(4,10,'swapcached',0);
INSERT INTO memcg_stats VALUES(4,11,'pgpgin',16331);
INSERT INTO memcg_stats VALUES(4,12,'pgpgout',0);
INSERT INTO memcg_stats VALUES(4,13,'pgfault',6148);
INSERT INTO memcg_stats VALUES(4,14,'pgmajfault',0);
INSERT INTO memcg_stats VALUES(4,15,'inactive_anon',66887680);
INSERT INTO memcg_stats VALUES(4,16,'active_anon',4096);
INSERT INTO memcg_stats VALUES(4,17,'inactive_file',0);
INSERT INTO memcg_stats VALUES(4,18,'active_file',0);
INSERT INTO memcg_stats VALUES(4,19,'unevictable',0);
INSERT INTO memcg_stats VALUES(4,20,'hierarchical_memory_limit',67108864);
INSERT INTO memcg_stats VALUES(4,21,'hierarchical_memsw_limit',67108864);
INSERT INTO memcg_stats VALUES(4,22,'total_cache',41943040);
INSERT INTO memcg_stats VALUES(4,23,'total_rss',24948736);
INSERT INTO memcg_stats VALUES(4,24,'total_rss_huge',0);
INSERT INTO memcg_stats VALUES(4,25,'total_shmem',41943040);
INSERT INTO memcg_stats VALUES(4,26,'total_mapped_file',0);
INSERT INTO memcg_stats VALUES(4,27,'total_dirty',0);
INSERT INTO memcg_stats VALUES(4,28,'total_writeback',0);
INSERT INTO memcg_stats VALUES(4,29,'total_workingset_refault_anon',0);
INSERT INTO memcg_stats VALUES(4,30,'total_workingset_refault_file',0);
INSERT INTO memcg_stats VALUES(4,31,'total_swap',0);
INSERT INTO memcg_stats VALUES(4,32,'total_swapcached',0);
INSERT INTO memcg_stats VALUES(4,33,'total_pgpgin',16331);
INSERT INTO memcg_stats VALUES(4,34,'total_pgpgout',0);
INSERT INTO memcg_stats VALUES(4,35,'total_pgfault',6148);
INSERT INTO memcg_stats VALUES(4,36,'total_pgmajfault',0);
INSERT INTO memcg_stats VALUES(4,37,'total_inactive_anon',66887680);
INSERT INTO memcg_stats VALUES(4,38,'total_active_anon',4096);
INSERT INTO memcg_stats VALUES(4,39,'total_inactive_file',0);
INSERT INTO memcg_stats VALUES(4,40,'total_active_file',0);
INSERT INTO memcg_stats VALUES(4,41,'total_unevictable',0);
CREATE TABLE raw_lines (
    event_id  INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    ord       INTEGER NOT NULL,
    line      INTEGER NOT NULL,
    text      TEXT    NOT NULL,
    PRIMARY KEY (event_id, ord)
) WITHOUT ROWID;
INSERT INTO raw_lines VALUES(1,0,3,'gunicorn invoked oom-killer: gfp_mask=0x1100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=985');
INSERT INTO raw_lines VALUES(1,1,4,'CPU: 3 PID: 17230 Comm: gunicorn Not tainted 5.15.0-1072-aws #78-Ubuntu');
INSERT INTO raw_lines VALUES(1,2,5,'Hardware name: Amazon EC2 m6i.xlarge/, BIOS 1.0 10/16/2017');
INSERT INTO raw_lines VALUES(1,3,6,'Call Trace:');
INSERT INTO raw_lines VALUES(1,4,7,'<TASK>');
INSERT INTO raw_lines VALUES(1,5,8,'dump_stack_lvl+0x4a/0x63');
INSERT INTO raw_lines VALUES(1,6,9,'dump_stack+0x10/0x16');
INSERT INTO raw_lines VALUES(1,7,10,'dump_header+0x53/0x228');
INSERT INTO raw_lines VALUES(1,8,11,'oom_kill_process.cold+0xb/0x10');
INSERT INTO raw_lines VALUES(1,9,12,'out_of_memory+0x1dc/0x530');
INSERT INTO raw_lines VALUES(1,10,13,'mem_cgroup_out_of_memory+0x145/0x160');
INSERT INTO raw_lines VALUES(1,11,14,'try_charge_memcg+0x6a1/0x770');
INSERT INTO raw_lines VALUES(1,12,15,'charge_memcg+0x45/0xb0');
INSERT INTO raw_lines VALUES(1,13,16,'__mem_cgroup_charge+0x2d/0x90');
INSERT INTO raw_lines VALUES(1,14,17,'do_anonymous_page+0x110/0x3b0');
INSERT INTO raw_lines VALUES(1,15,18,'__handle_mm_fault+0x8a0/0x950');
INSERT INTO raw_lines VALUES(1,16,19,'handle_mm_fault+0xd8/0x2c0');
INSERT INTO raw_lines VALUES(1,17,20,'do_user_addr_fault+0x1c2/0x660');
INSERT INTO raw_lines VALUES(1,18,21,'exc_page_fault+0x77/0x170');
INSERT INTO raw_lines VALUES(1,19,22,'asm_exc_page_fault+0x27/0x30');
INSERT INTO raw_lines VALUES(1,20,23,'RIP: 0033:0x7f6d1c9e2b17');
INSERT INTO raw_lines VALUES(1,21,24,'Code: Unable to access opcode bytes at RIP 0x7f6d1c9e2aed.');
INSERT INTO raw_lines VALUES(1,22,25,'RSP: 002b:00007ffe1d2c9a58 EFLAGS: 00010206');
INSERT INTO raw_lines VALUES(1,23,26,'</TASK>');
INSERT INTO raw_lines VALUES(1,24,27,'memory: usage 262144kB, limit 262144kB, failcnt 412');
INSERT INTO raw_lines VALUES(1,25,28,'swap: usage 0kB, limit 0kB, failcnt 0');
INSERT INTO raw_lines VALUES(1,26,29,'Memory cgroup stats for /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f9b2c71_0a4e_4d6b_8c1f_77e2d5a9b013.slice/cri-containerd-2689923c2d9956236192d04a55e3924f9a30e2c9d2150f4444f405d87bbde4ca.scope:');
INSERT INTO raw_lines VALUES(1,27,30,'anon 253173760');
INSERT INTO raw_lines VALUES(1,28,31,'file 11837440');
INSERT INTO raw_lines VALUES(1,29,32,'kernel_stack 131072');
INSERT INTO raw_lines VALUES(1,30,33,'pagetables 696320');
INSERT INTO raw_lines VALUES(1,31,34,'percpu 49152');
INSERT INTO raw_lines VALUES(1,32,35,'sock 0');
INSERT INTO raw_lines VALUES(1,33,36,'shmem 0');
INSERT INTO raw_lines VALUES(1,34,37,'file_mapped 5918720');
INSERT INTO raw_lines VALUES(1,35,38,'file_dirty 0');
INSERT INTO raw_lines VALUES(1,36,39,'file_writeback 0');
INSERT INTO raw_lines VALUES(1,37,40,'swapcached 0');
INSERT INTO raw_lines VALUES(1,38,41,'anon_thp 0');
INSERT INTO raw_lines VALUES(1,39,42,'file_thp 0');
INSERT INTO raw_lines VALUES(1,40,43,'shmem_thp 0');
INSERT INTO raw_lines VALUES(1,41,44,'inactive_anon 135168');
INSERT INTO raw_lines VALUES(1,42,45,'active_anon 253038592');
INSERT INTO raw_lines VALUES(1,43,46,'inactive_file 5918720');
INSERT INTO raw_lines VALUES(1,44,47,'active_file 5918720');
INSERT INTO raw_lines VALUES(1,45,48,'unevictable 0');
INSERT INTO raw_lines VALUES(1,46,49,'slab_reclaimable 1097728');
INSERT INTO raw_lines VALUES(1,47,50,'slab_unreclaimable 1548288');
INSERT INTO raw_lines VALUES(1,48,51,'slab 2646016');
INSERT INTO raw_lines VALUES(1,49,52,'workingset_refault_anon 0');
INSERT INTO raw_lines VALUES(1,50,53,'workingset_refault_file 913');
INSERT INTO raw_lines VALUES(1,51,54,'workingset_activate_anon 0');
INSERT INTO raw_lines VALUES(1,52,55,'workingset_activate_file 121');
INSERT INTO raw_lines VALUES(1,53,56,'workingset_restore_anon 0');
INSERT INTO raw_lines VALUES(1,54,57,'workingset_restore_file 77');
INSERT INTO raw_lines VALUES(1,55,58,'workingset_nodereclaim 0');
INSERT INTO raw_lines VALUES(1,56,59,'pgfault 991029');
INSERT INTO raw_lines VALUES(1,57,60,'pgmajfault 41');
INSERT INTO raw_lines VALUES(1,58,61,'pgrefill 3310');
INSERT INTO raw_lines VALUES(1,59,62,'pgscan 22190');
INSERT INTO raw_lines VALUES(1,60,63,'pgsteal 15020');
INSERT INTO raw_lines VALUES(1,61,64,'pgactivate 70110');
INSERT INTO raw_lines VALUES(1,62,65,'pgdeactivate 3120');
INSERT INTO raw_lines VALUES(1,63,66,'pglazyfree 0');
INSERT INTO raw_lines VALUES(1,64,67,'pglazyfreed 0');
INSERT INTO raw_lines VALUES(1,65,68,'thp_fault_alloc 0');
INSERT INTO raw_lines VALUES(1,66,69,'thp_collapse_alloc 0');
INSERT INTO raw_lines VALUES(1,67,70,'Tasks state (memory values in pages):');
INSERT INTO raw_lines VALUES(1,68,71,'[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name');
INSERT INTO raw_lines VALUES(1,69,72,'[  17201]  1000 17201    42310     6520   106496        0           985 gunicorn');
INSERT INTO raw_lines VALUES(1,70,73,'[  17230]  1000 17230    98221    34440   303104        0           985 gunicorn');
INSERT INTO raw_lines VALUES(1,71,74,'[  17231]  1000 17231    90110    25800   270336        0           985 gunicorn');
INSERT INTO raw_lines VALUES(1,72,75,'oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-2689923c2d9956236192d04a55e3924f9a30e2c9d2150f4444f405d87bbde4ca.scope,mems_allowed=0,oom_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f9b2c71_0a4e_4d6b_8c1f_77e2d5a9b013.slice/cri-containerd-2689923c2d9956236192d04a55e3924f9a30e2c9d2150f4444f405d87bbde4ca.scope,task_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f9b2c71_0a4e_4d6b_8c1f_77e2d5a9b013.slice/cri-containerd-2689923c2d9956236192d04a55e3924f9a30e2c9d2150f4444f405d87bbde4ca.scope,task=gunicorn,pid=17230,uid=1000');
INSERT INTO raw_lines VALUES(1,73,76,'Memory cgroup out of memory: Killed process 17230 (gunicorn) total-vm:392884kB, anon-rss:132480kB, file-rss:5280kB, shmem-rss:0kB, UID:1000 pgtables:296kB oom_score_adj:985');
INSERT INTO raw_lines VALUES(2,0,80,'celery invoked oom-killer: gfp_mask=0x1100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=937');
INSERT INTO raw_lines VALUES(2,1,81,'CPU: 1 PID: 20146 Comm: celery Not tainted 5.15.0-1072-aws #78-Ubuntu');
INSERT INTO raw_lines VALUES(2,2,82,'Hardware name: Amazon EC2 m6i.xlarge/, BIOS 1.0 10/16/2017');
INSERT INTO raw_lines VALUES(2,3,83,'Call Trace:');
INSERT INTO raw_lines VALUES(2,4,84,'<TASK>');
INSERT INTO raw_lines VALUES(2,5,85,'dump_stack_lvl+0x4a/0x63');
INSERT INTO raw_lines VALUES(2,6,86,'dump_stack+0x10/0x16');
INSERT INTO raw_lines VALUES(2,7,87,'dump_header+0x53/0x228');
INSERT INTO raw_lines VALUES(2,8,88,'oom_kill_process.cold+0xb/0x10');
INSERT INTO raw_lines VALUES(2,9,89,'out_of_memory+0x1dc/0x530');
INSERT INTO raw_lines VALUES(2,10,90,'mem_cgroup_out_of_memory+0x145/0x160');
INSERT INTO raw_lines VALUES(2,11,91,'try_charge_memcg+0x6a1/0x770');
INSERT INTO raw_lines VALUES(2,12,92,'charge_memcg+0x45/0xb0');
INSERT INTO raw_lines VALUES(2,13,93,'__mem_cgroup_charge+0x2d/0x90');
INSERT INTO raw_lines VALUES(2,14,94,'do_anonymous_page+0x110/0x3b0');
INSERT INTO raw_lines VALUES(2,15,95,'__handle_mm_fault+0x8a0/0x950');
INSERT INTO raw_lines VALUES(2,16,96,'handle_mm_fault+0xd8/0x2c0');
INSERT INTO raw_lines VALUES(2,17,97,'do_user_addr_fault+0x1c2/0x660');
INSERT INTO raw_lines VALUES(2,18,98,'exc_page_fault+0x77/0x170');
INSERT INTO raw_lines VALUES(2,19,99,'asm_exc_page_fault+0x27/0x30');
INSERT INTO raw_lines VALUES(2,20,100,'RIP: 0033:0x7f6d1c9e2b17');
INSERT INTO raw_lines VALUES(2,21,101,'Code: Unable to access opcode bytes at RIP 0x7f6d1c9e2aed.');
INSERT INTO raw_lines VALUES(2,22,102,'RSP: 002b:00007ffe1d2c9a58 EFLAGS: 00010206');
INSERT INTO raw_lines VALUES(2,23,103,'</TASK>');
INSERT INTO raw_lines VALUES(2,24,104,'memory: usage 524288kB, limit 524288kB, failcnt 95');
INSERT INTO raw_lines VALUES(2,25,105,'swap: usage 0kB, limit 0kB, failcnt 0');
INSERT INTO raw_lines VALUES(2,26,106,'Memory cgroup stats for /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda51c0e98_6d2f_4b7a_9e35_1c8d4f0b2e66.slice/cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope:');
INSERT INTO raw_lines VALUES(2,27,107,'anon 500613120');
INSERT INTO raw_lines VALUES(2,28,108,'file 31948800');
INSERT INTO raw_lines VALUES(2,29,109,'kernel_stack 147456');
INSERT INTO raw_lines VALUES(2,30,110,'pagetables 1212416');
INSERT INTO raw_lines VALUES(2,31,111,'percpu 49152');
INSERT INTO raw_lines VALUES(2,32,112,'sock 0');
INSERT INTO raw_lines VALUES(2,33,113,'shmem 0');
INSERT INTO raw_lines VALUES(2,34,114,'file_mapped 15974400');
INSERT INTO raw_lines VALUES(2,35,115,'file_dirty 0');
INSERT INTO raw_lines VALUES(2,36,116,'file_writeback 0');
INSERT INTO raw_lines VALUES(2,37,117,'swapcached 0');
INSERT INTO raw_lines VALUES(2,38,118,'anon_thp 0');
INSERT INTO raw_lines VALUES(2,39,119,'file_thp 0');
INSERT INTO raw_lines VALUES(2,40,120,'shmem_thp 0');
INSERT INTO raw_lines VALUES(2,41,121,'inactive_anon 135168');
INSERT INTO raw_lines VALUES(2,42,122,'active_anon 500477952');
INSERT INTO raw_lines VALUES(2,43,123,'inactive_file 15974400');
INSERT INTO raw_lines VALUES(2,44,124,'active_file 15974400');
INSERT INTO raw_lines VALUES(2,45,125,'unevictable 0');
INSERT INTO raw_lines VALUES(2,46,126,'slab_reclaimable 1236992');
INSERT INTO raw_lines VALUES(2,47,127,'slab_unreclaimable 1871872');
INSERT INTO raw_lines VALUES(2,48,128,'slab 3108864');
INSERT INTO raw_lines VALUES(2,49,129,'workingset_refault_anon 0');
INSERT INTO raw_lines VALUES(2,50,130,'workingset_refault_file 914');
INSERT INTO raw_lines VALUES(2,51,131,'workingset_activate_anon 0');
INSERT INTO raw_lines VALUES(2,52,132,'workingset_activate_file 122');
INSERT INTO raw_lines VALUES(2,53,133,'workingset_restore_anon 0');
INSERT INTO raw_lines VALUES(2,54,134,'workingset_restore_file 77');
INSERT INTO raw_lines VALUES(2,55,135,'workingset_nodereclaim 0');
INSERT INTO raw_lines VALUES(2,56,136,'pgfault 991036');
INSERT INTO raw_lines VALUES(2,57,137,'pgmajfault 41');
INSERT INTO raw_lines VALUES(2,58,138,'pgrefill 3310');
INSERT INTO raw_lines VALUES(2,59,139,'pgscan 22190');
INSERT INTO raw_lines VALUES(2,60,140,'pgsteal 15020');
INSERT INTO raw_lines VALUES(2,61,141,'pgactivate 70110');
INSERT INTO raw_lines VALUES(2,62,142,'pgdeactivate 3120');
INSERT INTO raw_lines VALUES(2,63,143,'pglazyfree 0');
INSERT INTO raw_lines VALUES(2,64,144,'pglazyfreed 0');
INSERT INTO raw_lines VALUES(2,65,145,'thp_fault_alloc 0');
INSERT INTO raw_lines VALUES(2,66,146,'thp_collapse_alloc 0');
INSERT INTO raw_lines VALUES(2,67,147,'Tasks state (memory values in pages):');
INSERT INTO raw_lines VALUES(2,68,148,'[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name');
INSERT INTO raw_lines VALUES(2,69,149,'[  20110]  1000 20110    61234    17000   225280        0           937 celery');
INSERT INTO raw_lines VALUES(2,70,151,'[  20145]  1000 20145   121880    56720   487424        0           937 celery');
INSERT INTO raw_lines VALUES(2,71,152,'[  20146]  1000 20146   119302    54400   471040        0           937 celery');
INSERT INTO raw_lines VALUES(2,72,153,'oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope,mems_allowed=0,oom_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda51c0e98_6d2f_4b7a_9e35_1c8d4f0b2e66.slice/cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope,task_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda51c0e98_6d2f_4b7a_9e35_1c8d4f0b2e66.slice/cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope,task=celery,pid=20145,uid=1000');
INSERT INTO raw_lines VALUES(2,73,154,'Memory cgroup out of memory: Killed process 20145 (celery) total-vm:487520kB, anon-rss:220840kB, file-rss:6040kB, shmem-rss:0kB, UID:1000 pgtables:476kB oom_score_adj:937');
INSERT INTO raw_lines VALUES(2,74,155,'Tasks in /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda51c0e98_6d2f_4b7a_9e35_1c8d4f0b2e66.slice/cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope are going to be killed due to memory.oom.group set');
INSERT INTO raw_lines VALUES(2,75,156,'Memory cgroup out of memory: Killed process 20110 (celery) total-vm:244936kB, anon-rss:56480kB, file-rss:11520kB, shmem-rss:0kB, UID:1000 pgtables:220kB oom_score_adj:937');
INSERT INTO raw_lines VALUES(2,76,157,'Memory cgroup out of memory: Killed process 20145 (celery) total-vm:487520kB, anon-rss:220840kB, file-rss:6040kB, shmem-rss:0kB, UID:1000 pgtables:476kB oom_score_adj:937');
INSERT INTO raw_lines VALUES(2,77,158,'Memory cgroup out of memory: Killed process 20146 (celery) total-vm:477208kB, anon-rss:211560kB, file-rss:6040kB, shmem-rss:0kB, UID:1000 pgtables:460kB oom_score_adj:937');
INSERT INTO raw_lines VALUES(3,0,1,'sed invoked oom-killer: gfp_mask=0x201da, order=0, oom_score_adj=0');
INSERT INTO raw_lines VALUES(3,1,2,'sed cpuset=/ mems_allowed=0-1');
INSERT INTO raw_lines VALUES(3,2,3,'CPU: 4 PID: 29481 Comm: sed Not tainted 3.10.0-514.6.1.el7.x86_64 #1');
INSERT INTO raw_lines VALUES(3,3,4,'Hardware name: HP ProLiant DL385 G7, BIOS A18 12/08/2012');
INSERT INTO raw_lines VALUES(3,4,5,'ffff880182272f10 00000000021dcb0a ffff880418207938 ffffffff816861ac');
INSERT INTO raw_lines VALUES(3,5,6,'ffff8804182079c8 ffffffff81681157 ffffffff810eab9c ffff8804182fe910');
INSERT INTO raw_lines VALUES(3,6,7,'ffff8804182fe928 0000000000000202 ffff880182272f10 ffff8804182079b8');
INSERT INTO raw_lines VALUES(3,7,8,'Call Trace:');
INSERT INTO raw_lines VALUES(3,8,9,'[<ffffffff816861ac>] dump_stack+0x19/0x1b');
INSERT INTO raw_lines VALUES(3,9,10,'[<ffffffff81681157>] dump_header+0x8e/0x225');
INSERT INTO raw_lines VALUES(3,10,11,'[<ffffffff810eab9c>] ? ktime_get_ts64+0x4c/0xf0');
INSERT INTO raw_lines VALUES(3,11,12,'[<ffffffff8113ccaf>] ? delayacct_end+0x8f/0xb0');
INSERT INTO raw_lines VALUES(3,12,13,'[<ffffffff8118475e>] oom_kill_process+0x24e/0x3c0');
INSERT INTO raw_lines VALUES(3,13,14,'[<ffffffff811841fd>] ? oom_unkillable_task+0xcd/0x120');
INSERT INTO raw_lines VALUES(3,14,15,'[<ffffffff811842a6>] ? find_lock_task_mm+0x56/0xc0');
INSERT INTO raw_lines VALUES(3,15,16,'[<ffffffff810937ee>] ? has_capability_noaudit+0x1e/0x30');
INSERT INTO raw_lines VALUES(3,16,17,'[<ffffffff81184f96>] out_of_memory+0x4b6/0x4f0');
INSERT INTO raw_lines VALUES(3,17,18,'[<ffffffff81681c60>] __alloc_pages_slowpath+0x5d7/0x725');
INSERT INTO raw_lines VALUES(3,18,19,'[<ffffffff8118b0a5>] __alloc_pages_nodemask+0x405/0x420');
INSERT INTO raw_lines VALUES(3,19,20,'[<ffffffff811cf25a>] alloc_pages_current+0xaa/0x170');
INSERT INTO raw_lines VALUES(3,20,21,'[<ffffffff81180667>] __page_cache_alloc+0x97/0xb0');
INSERT INTO raw_lines VALUES(3,21,22,'[<ffffffff811831b0>] filemap_fault+0x170/0x410');
INSERT INTO raw_lines VALUES(3,22,23,'[<ffffffffa018f016>] ext4_filemap_fault+0x36/0x50 [ext4]');
INSERT INTO raw_lines VALUES(3,23,24,'[<ffffffff811ac2ec>] __do_fault+0x4c/0xc0');
INSERT INTO raw_lines VALUES(3,24,25,'[<ffffffff811ac783>] do_read_fault.isra.42+0x43/0x130');
INSERT INTO raw_lines VALUES(3,25,26,'[<ffffffff811b0f11>] handle_mm_fault+0x6b1/0xfe0');
INSERT INTO raw_lines VALUES(3,26,27,'[<ffffffff811b7825>] ? do_mmap_pgoff+0x305/0x3c0');
INSERT INTO raw_lines VALUES(3,27,28,'[<ffffffff81691c94>] __do_page_fault+0x154/0x450');
INSERT INTO raw_lines VALUES(3,28,29,'[<ffffffff81691fc5>] do_page_fault+0x35/0x90');
INSERT INTO raw_lines VALUES(3,29,30,'[<ffffffff8168e288>] page_fault+0x28/0x30');
INSERT INTO raw_lines VALUES(3,30,31,'Mem-Info:');
INSERT INTO raw_lines VALUES(3,31,32,'active_anon:7355653 inactive_anon:660960 isolated_anon:0');
INSERT INTO raw_lines VALUES(3,32,32,'active_file:1263 inactive_file:1167 isolated_file:32');
INSERT INTO raw_lines VALUES(3,33,32,'unevictable:0 dirty:4 writeback:0 unstable:0');
INSERT INTO raw_lines VALUES(3,34,32,'slab_reclaimable:27412 slab_unreclaimable:13708');
INSERT INTO raw_lines VALUES(3,35,32,'mapped:4818 shmem:87896 pagetables:25222 bounce:0');
INSERT INTO raw_lines VALUES(3,36,32,'free:39513 free_pcp:2958 free_cma:0');
INSERT INTO raw_lines VALUES(3,37,33,'Node 0 DMA free:15872kB min:40kB low:48kB high:60kB active_anon:0kB inactive_anon:0kB active_file:0kB inactive_file:0kB unevictable:0kB isolated(anon):0kB isolated(file):0kB present:15992kB managed:15908kB mlocked:0kB dirty:0kB writeback:0kB mapped:0kB shmem:0kB slab_reclaimable:0kB slab_unreclaimable:0kB kernel_stack:0kB pagetables:0kB unstable:0kB bounce:0kB free_pcp:0kB local_pcp:0kB free_cma:0kB writeback_tmp:0kB pages_scanned:0 all_unreclaimable? yes');
INSERT INTO raw_lines VALUES(3,38,34,'lowmem_reserve[]: 0 2780 15835 15835');
INSERT INTO raw_lines VALUES(3,39,35,'Node 0 DMA32 free:59728kB min:7832kB low:9788kB high:11748kB active_anon:2154380kB inactive_anon:604748kB active_file:500kB inactive_file:112kB unevictable:0kB isolated(anon):0kB isolated(file):0kB present:3094644kB managed:2848912kB mlocked:0kB dirty:0kB writeback:0kB mapped:4016kB shmem:5140kB slab_reclaimable:6448kB slab_unreclaimable:2796kB kernel_stack:1040kB pagetables:6876kB unstable:0kB bounce:0kB free_pcp:3788kB local_pcp:228kB free_cma:0kB writeback_tmp:0kB pages_scanned:28 all_unreclaimable? no');
INSERT INTO raw_lines VALUES(3,40,36,'lowmem_reserve[]: 0 0 13055 13055');
INSERT INTO raw_lines VALUES(3,41,37,'Node 0 Normal free:36692kB min:36784kB low:45980kB high:55176kB active_anon:12301636kB inactive_anon:793132kB active_file:604kB inactive_file:176kB unevictable:0kB isolated(anon):0kB isolated(file):128kB present:13631488kB managed:13368348kB mlocked:0kB dirty:0kB writeback:0kB mapped:4108kB shmem:207940kB slab_reclaimable:47900kB slab_unreclaimable:28884kB kernel_stack:6624kB pagetables:43340kB unstable:0kB bounce:0kB free_pcp:4204kB local_pcp:640kB free_cma:0kB writeback_tmp:0kB pages_scanned:128 all_unreclaimable? no');
INSERT INTO raw_lines VALUES(3,42,38,'lowmem_reserve[]: 0 0 0 0');
INSERT INTO raw_lines VALUES(3,43,39,'Node 1 Normal free:49436kB min:45444kB low:56804kB high:68164kB active_anon:14967844kB inactive_anon:1244560kB active_file:1552kB inactive_file:1992kB unevictable:0kB isolated(anon):0kB isolated(file):0kB present:16777212kB managed:16514220kB mlocked:0kB dirty:16kB writeback:0kB mapped:10760kB shmem:138504kB slab_reclaimable:55300kB slab_unreclaimable:23152kB kernel_stack:6176kB pagetables:50672kB unstable:0kB bounce:0kB free_pcp:3360kB local_pcp:248kB free_cma:0kB writeback_tmp:0kB pages_scanned:125777 all_unreclaimable? yes');
INSERT INTO raw_lines VALUES(3,44,40,'lowmem_reserve[]: 0 0 0 0');
INSERT INTO raw_lines VALUES(3,45,41,'Node 0 DMA: 0*4kB 0*8kB 0*16kB 0*32kB 2*64kB (U) 1*128kB (U) 1*256kB (U) 0*512kB 1*1024kB (U) 1*2048kB (M) 3*4096kB (M) = 15872kB');
INSERT INTO raw_lines VALUES(3,46,42,'Node 0 DMA32: 203*4kB (UEM) 231*8kB (UEM) 259*16kB (UEM) 231*32kB (UEM) 157*64kB (UEM) 90*128kB (UEM) 49*256kB (UEM) 20*512kB (UE) 3*1024kB (UEM) 1*2048kB (M) 0*4096kB = 63668kB');
INSERT INTO raw_lines VALUES(3,47,43,'Node 0 Normal: 1231*4kB (UEM) 391*8kB (UEM) 456*16kB (UEM) 342*32kB (UEM) 141*64kB (UEM) 23*128kB (UEM) 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 38260kB');
INSERT INTO raw_lines VALUES(3,48,44,'Node 1 Normal: 2245*4kB (UEM) 732*8kB (UEM) 594*16kB (UEM) 396*32kB (UEM) 160*64kB (UEM) 16*128kB (UEM) 2*256kB (UM) 0*512kB 1*1024kB (M) 0*2048kB 0*4096kB = 50836kB');
INSERT INTO raw_lines VALUES(3,49,45,'Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=1048576kB');
INSERT INTO raw_lines VALUES(3,50,46,'Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB');
INSERT INTO raw_lines VALUES(3,51,47,'Node 1 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=1048576kB');
INSERT INTO raw_lines VALUES(3,52,48,'Node 1 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB');
INSERT INTO raw_lines VALUES(3,53,49,'100155 total pagecache pages');
INSERT INTO raw_lines VALUES(3,54,50,'11342 pages in swap cache');
INSERT INTO raw_lines VALUES(3,55,51,'Swap cache stats: add 31260615, delete 31249273, find 295999950/297583545');
INSERT INTO raw_lines VALUES(3,56,52,'Free swap  = 0kB');
INSERT INTO raw_lines VALUES(3,57,53,'Total swap = 8388604kB');
INSERT INTO raw_lines VALUES(3,58,54,'8379834 pages RAM');
INSERT INTO raw_lines VALUES(3,59,55,'0 pages HighMem/MovableOnly');
INSERT INTO raw_lines VALUES(3,60,56,'192987 pages reserved');
INSERT INTO raw_lines VALUES(3,61,57,'[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name');
INSERT INTO raw_lines VALUES(3,62,58,'[  390]     0   390    39012     6739      78       51             0 systemd-journal');
INSERT INTO raw_lines VALUES(3,63,59,'[  433]     0   433    11104        2      22      360         -1000 systemd-udevd');
INSERT INTO raw_lines VALUES(3,64,60,'[  530]     0   530    13854       28      27       83         -1000 auditd');
INSERT INTO raw_lines VALUES(3,65,61,'[  559]     0   559     7692       65      19       87             0 systemd-logind');
INSERT INTO raw_lines VALUES(3,66,62,'[  563]     0   563     4817       41      14       36             0 irqbalance');
INSERT INTO raw_lines VALUES(3,67,63,'[  569]    87   569     7684       52      20       48          -900 dbus-daemon');
INSERT INTO raw_lines VALUES(3,68,64,'[  587]    32   587    16240       17      34      116             0 rpcbind');
INSERT INTO raw_lines VALUES(3,69,65,'[  647]     0   647    50303       11      36      113             0 gssproxy');
INSERT INTO raw_lines VALUES(3,70,66,'[  796]     0   796   193856     2897     207      112             0 rsyslogd');
INSERT INTO raw_lines VALUES(3,71,67,'[  818]     0   818    13177        0      27      146             0 vsftpd');
INSERT INTO raw_lines VALUES(3,72,68,'[  840]     0   840    62892        9      36      103             0 ypbind');
INSERT INTO raw_lines VALUES(3,73,69,'[  868]     0   868    21663       28      43      191         -1000 sshd');
INSERT INTO raw_lines VALUES(3,74,70,'[  871]    29   871    11126        2      25      222             0 rpc.statd');
INSERT INTO raw_lines VALUES(3,75,71,'[  907]     0   907     8044        4      21       53             0 atd');
INSERT INTO raw_lines VALUES(3,76,72,'[  916]     0   916    27509        2      10       30             0 agetty');
INSERT INTO raw_lines VALUES(3,77,73,'[  934]     0   934    27509        2      10       31             0 agetty');
INSERT INTO raw_lines VALUES(3,78,74,'[ 1255]     0  1255    45716        1      39      337             0 rscd');
INSERT INTO raw_lines VALUES(3,79,75,'[ 1268]     0  1268    45746       28      38      353             0 rscd');
INSERT INTO raw_lines VALUES(3,80,76,'[ 1269]     0  1269    45716       29      38      311             0 rscd');
INSERT INTO raw_lines VALUES(3,81,77,'[ 1285]     0  1285    23290       25      45      235             0 master');
INSERT INTO raw_lines VALUES(3,82,78,'[ 1287]    89  1287    23379       52      47      242             0 qmgr');
INSERT INTO raw_lines VALUES(3,83,79,'[ 1830]     0  1830   446643      959      68     1234             0 ovcd');
INSERT INTO raw_lines VALUES(3,84,80,'[ 2062]     0  2062   144894      511      37      309             0 ovbbccb');
INSERT INTO raw_lines VALUES(3,85,81,'[ 2121]     0  2121    33138       26      19      138             0 crond');
INSERT INTO raw_lines VALUES(3,86,82,'[ 2136]    38  2136     7846       40      19       88             0 ntpd');
INSERT INTO raw_lines VALUES(3,87,83,'[ 2451]     0  2451   177827        0      36      816             0 ovconfd');
INSERT INTO raw_lines VALUES(3,88,84,'[ 8145]     0  8145   300303     1616      58      692             0 hpsensor');
INSERT INTO raw_lines VALUES(3,89,85,'[ 8204]     0  8204    31508      119      31      328             0 opcmsgi');
INSERT INTO raw_lines VALUES(3,90,86,'[ 8405]     0  8405   201479     1289      49      244             0 opcmsga');
INSERT INTO raw_lines VALUES(3,91,87,'[ 8472]     0  8472   134080      236      46      514             0 opcmona');
INSERT INTO raw_lines VALUES(3,92,88,'[ 8596]     0  8596    31377      172      29      301             0 opcle');
INSERT INTO raw_lines VALUES(3,93,89,'[ 8658]     0  8658    81199      124      34      336             0 opcacta');
INSERT INTO raw_lines VALUES(3,94,90,'[ 8685]     0  8685   137169    23313      97     3256             0 oacore');
INSERT INTO raw_lines VALUES(3,95,91,'[ 6330] 12345  6330     7520       15      18       61             0 rotatelogs');
INSERT INTO raw_lines VALUES(3,96,92,'[ 6331] 12345  6331    28318        0      12       83             0 run.sh');
INSERT INTO raw_lines VALUES(3,97,93,'[ 6576] 12345  6576  8478546  5157063   15483  1527848             0 mysqld');
INSERT INTO raw_lines VALUES(3,98,94,'[27171] 12345 27171     7522       10      18       58             0 rotatelogs');
INSERT INTO raw_lines VALUES(3,99,95,'[27172] 12345 27172    28320        3      11       94             0 run.sh');
INSERT INTO raw_lines VALUES(3,100,96,'[27502] 12345 27502  4029300  2716569    6505   226225             0 java');
INSERT INTO raw_lines VALUES(3,101,97,'[11729]     0 11729    64122     5003      79     2465             0 snmpd');
INSERT INTO raw_lines VALUES(3,102,98,'[12130]     0 12130   122202      565      29      175             0 hpasmlited');
INSERT INTO raw_lines VALUES(3,103,99,'[12166]     0 12166    11905       89      24      121             0 cmahealthd');
INSERT INTO raw_lines VALUES(3,104,100,'[12190]     0 12190    11871       89      24      119             0 cmastdeqd');
INSERT INTO raw_lines VALUES(3,105,101,'[12214]     0 12214    13707       84      31      211             0 cmahostd');
INSERT INTO raw_lines VALUES(3,106,102,'[12237]     0 12237    12493       38      28      352             0 cmathreshd');
INSERT INTO raw_lines VALUES(3,107,103,'[12276]     0 12276    12368       45      30      210             0 cmasm2d');
INSERT INTO raw_lines VALUES(3,108,104,'[12299]     0 12299    12485       43      26      282             0 cmaperfd');
INSERT INTO raw_lines VALUES(3,109,105,'[12324]     0 12324    31932      184      31      143             0 cmapeerd');
INSERT INTO raw_lines VALUES(3,110,106,'[12352]     0 12352    14280       48      32      169             0 cmaeventd');
INSERT INTO raw_lines VALUES(3,111,107,'[12379]     0 12379    14831       26      30      198             0 cmafcad');
INSERT INTO raw_lines VALUES(3,112,108,'[12407]     0 12407    11806       12      25      128             0 cmasasd');
INSERT INTO raw_lines VALUES(3,113,109,'[12436]     0 12436    14364       86      31      181             0 cmaidad');
INSERT INTO raw_lines VALUES(3,114,110,'[12463]     0 12463    11288       15      25      125             0 cmaided');
INSERT INTO raw_lines VALUES(3,115,111,'[12492]     0 12492    11805       14      26      127             0 cmascsid');
INSERT INTO raw_lines VALUES(3,116,112,'[12523]     0 12523    92228      129      63      433             0 cmanicd');
INSERT INTO raw_lines VALUES(3,117,113,'[14002]     0 14002    11803       12      25      128             0 cmasm2d');
INSERT INTO raw_lines VALUES(3,118,114,'[32615]     0 32615    36254      323      73        7             0 sshd');
INSERT INTO raw_lines VALUES(3,119,115,'[  894] 12345   894    36254      328      70        5             0 sshd');
INSERT INTO raw_lines VALUES(3,120,116,'[  895] 12345   895     3389      123      11        0             0 ksh');
INSERT INTO raw_lines VALUES(3,121,117,'[10620]     0 10620    36254      328      72        0             0 sshd');
INSERT INTO raw_lines VALUES(3,122,118,'[10634] 38714 10634    36290      329      70        8             0 sshd');
INSERT INTO raw_lines VALUES(3,123,119,'[10635] 38714 10635    14221       25      31      124             0 sftp-server');
INSERT INTO raw_lines VALUES(3,124,120,'[29021]     0 29021    36254      314      69        0             0 sshd');
INSERT INTO raw_lines VALUES(3,125,121,'[29025] 12345 29025    36254      316      67        0             0 sshd');
INSERT INTO raw_lines VALUES(3,126,122,'[29026] 12345 29026    29286       96      12        1             0 ksh');
INSERT INTO raw_lines VALUES(3,127,123,'[29051] 12345 29051    29494      330      12       74             0 svr05');
INSERT INTO raw_lines VALUES(3,128,124,'[29979] 12345 29979     1666       42       9        0             0 less');
INSERT INTO raw_lines VALUES(3,129,125,'[29662]    89 29662    23316      258      43        0             0 pickup');
INSERT INTO raw_lines VALUES(3,130,126,'[26065]    89 26065    23317      256      45        0             0 trivial-rewrite');
INSERT INTO raw_lines VALUES(3,131,127,'[26066]    89 26066    23353      265      45        0             0 cleanup');
INSERT INTO raw_lines VALUES(3,132,128,'[26067]    89 26067    23368      271      45        0             0 smtp');
INSERT INTO raw_lines VALUES(3,133,129,'[26743]     0 26743    36254      314      68        0             0 sshd');
INSERT INTO raw_lines VALUES(3,134,130,'[26937] 12345 26937    36254      314      67        0             0 sshd');
INSERT INTO raw_lines VALUES(3,135,131,'[26938] 12345 26938    29286       96      11        0             0 ksh');
INSERT INTO raw_lines VALUES(3,136,132,'[27122] 12345 27122    29494      459      12        0             0 svr05');
INSERT INTO raw_lines VALUES(3,137,133,'[28657]     0 28657    36254      314      74        0             0 sshd');
INSERT INTO raw_lines VALUES(3,138,134,'[28702] 12345 28702    36254      314      72        0             0 sshd');
INSERT INTO raw_lines VALUES(3,139,135,'[28703] 12345 28703    29286       97      11        0             0 ksh');
INSERT INTO raw_lines VALUES(3,140,136,'[28993]     0 28993    36254      314      72        0             0 sshd');
INSERT INTO raw_lines VALUES(3,141,137,'[28996] 12345 28996    29526      531      12        0             0 svr05');
INSERT INTO raw_lines VALUES(3,142,138,'[29006] 12345 29006    36254      314      69        0             0 sshd');
INSERT INTO raw_lines VALUES(3,143,139,'[29007] 12345 29007    29286       96      11        0             0 ksh');
INSERT INTO raw_lines VALUES(3,144,140,'[29110] 12345 29110    29558      745      12        0             0 svr05');
INSERT INTO raw_lines VALUES(3,145,141,'[29481] 12345 29481    29214       58      14        0             0 sed');
INSERT INTO raw_lines VALUES(3,146,142,'[29752] 12345 29752     7522      296      19        0             0 rotatelogs');
INSERT INTO raw_lines VALUES(3,147,143,'Out of memory: Kill process 6576 (mysqld) score 651 or sacrifice child');
INSERT INTO raw_lines VALUES(3,148,144,'Killed process 6576 (mysqld) total-vm:33914892kB, anon-rss:20629004kB, file-rss:0kB, shmem-rss:0kB');
INSERT INTO raw_lines VALUES(4,0,1,'oomscope_shmem_ invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0');
INSERT INTO raw_lines VALUES(4,1,2,'CPU: 0 UID: 0 PID: 5740 Comm: oomscope_shmem_ Not tainted 6.18.44-fc-v1098 #1 PREEMPT(none)');
INSERT INTO raw_lines VALUES(4,2,3,'Call Trace:');
INSERT INTO raw_lines VALUES(4,3,4,'<TASK>');
INSERT INTO raw_lines VALUES(4,4,5,'dump_stack_lvl+0x59/0x90');
INSERT INTO raw_lines VALUES(4,5,6,'dump_header+0x43/0x1c0');
INSERT INTO raw_lines VALUES(4,6,7,'oom_kill_process.cold+0x8/0x8a');
INSERT INTO raw_lines VALUES(4,7,8,'out_of_memory+0x214/0x500');
INSERT INTO raw_lines VALUES(4,8,9,'mem_cgroup_out_of_memory+0xe8/0x130');
INSERT INTO raw_lines VALUES(4,9,10,'try_charge_memcg+0x439/0x700');
INSERT INTO raw_lines VALUES(4,10,11,'charge_memcg+0x2f/0x90');
INSERT INTO raw_lines VALUES(4,11,12,'__mem_cgroup_charge+0x2c/0x90');
INSERT INTO raw_lines VALUES(4,12,13,'do_anonymous_page+0x220/0xaa0');
INSERT INTO raw_lines VALUES(4,13,14,'? srso_alias_return_thunk+0x5/0xfbef5');
INSERT INTO raw_lines VALUES(4,14,15,'? ___pte_offset_map+0x17/0x100');
INSERT INTO raw_lines VALUES(4,15,16,'__handle_mm_fault+0xa64/0xf80');
INSERT INTO raw_lines VALUES(4,16,17,'? __dequeue_entity+0x399/0x5e0');
INSERT INTO raw_lines VALUES(4,17,18,'? srso_alias_return_thunk+0x5/0xfbef5');
INSERT INTO raw_lines VALUES(4,18,19,'handle_mm_fault+0xd0/0x310');
INSERT INTO raw_lines VALUES(4,19,20,'exc_page_fault+0x176/0x770');
INSERT INTO raw_lines VALUES(4,20,21,'asm_exc_page_fault+0x22/0x30');
INSERT INTO raw_lines VALUES(4,21,22,'RIP: 0033:0x7fec9a78c0ba');
INSERT INTO raw_lines VALUES(4,22,23,'Code: 00 00 48 c7 c1 ff ff ff ff c4 e2 e8 f5 c9 c4 e1 fb 92 c9 62 e1 7f 49 7f 00 c3 66 0f 1f 44 00 00 40 0f b6 c6 48 89 d1 48 89 fa <f3> aa 48 89 d0 c3 48 3b 15 09 53 06 00 77 e7 62 e1 fe 48 7f 07 62');
INSERT INTO raw_lines VALUES(4,23,24,'RSP: 002b:00007ffc84c28fd8 EFLAGS: 00010206');
INSERT INTO raw_lines VALUES(4,24,25,'RAX: 000000000000005a RBX: 00007fec98c37010 RCX: 000000000016c010');
INSERT INTO raw_lines VALUES(4,25,26,'RDX: 00007fec98c37010 RSI: 000000000000005a RDI: 00007fec98ecb000');
INSERT INTO raw_lines VALUES(4,26,27,'RBP: 0000000000000014 R08: 00000000ffffffff R09: 0000000000000000');
INSERT INTO raw_lines VALUES(4,27,28,'R10: 0000000000000022 R11: 0000000000000246 R12: 0000000000000100');
INSERT INTO raw_lines VALUES(4,28,29,'R13: 0000000000000020 R14: 00005584be812ef0 R15: 0000000000000040');
INSERT INTO raw_lines VALUES(4,29,30,'</TASK>');
INSERT INTO raw_lines VALUES(4,30,31,'memory: usage 65536kB, limit 65536kB, failcnt 0');
INSERT INTO raw_lines VALUES(4,31,32,'memory+swap: usage 65536kB, limit 65536kB, failcnt 0');
INSERT INTO raw_lines VALUES(4,32,33,'kmem: usage 212kB, limit 9007199254740988kB, failcnt 0');
INSERT INTO raw_lines VALUES(4,33,34,'Memory cgroup stats for /oomscope-anatomy-5738-b4f8c91f:');
INSERT INTO raw_lines VALUES(4,34,35,'cache 41943040');
INSERT INTO raw_lines VALUES(4,35,36,'rss 24948736');
INSERT INTO raw_lines VALUES(4,36,37,'rss_huge 0');
INSERT INTO raw_lines VALUES(4,37,38,'shmem 41943040');
INSERT INTO raw_lines VALUES(4,38,39,'mapped_file 0');
INSERT INTO raw_lines VALUES(4,39,40,'dirty 0');
INSERT INTO raw_lines VALUES(4,40,41,'writeback 0');
INSERT INTO raw_lines VALUES(4,41,42,'workingset_refault_anon 0');
INSERT INTO raw_lines VALUES(4,42,43,'workingset_refault_file 0');
INSERT INTO raw_lines VALUES(4,43,44,'swap 0');
INSERT INTO raw_lines VALUES(4,44,45,'swapcached 0');
INSERT INTO raw_lines VALUES(4,45,46,'pgpgin 16331');
INSERT INTO raw_lines VALUES(4,46,47,'pgpgout 0');
INSERT INTO raw_lines VALUES(4,47,48,'pgfault 6148');
INSERT INTO raw_lines VALUES(4,48,49,'pgmajfault 0');
INSERT INTO raw_lines VALUES(4,49,50,'inactive_anon 66887680');
INSERT INTO raw_lines VALUES(4,50,51,'active_anon 4096');
INSERT INTO raw_lines VALUES(4,51,52,'inactive_file 0');
INSERT INTO raw_lines VALUES(4,52,53,'active_file 0');
INSERT INTO raw_lines VALUES(4,53,54,'unevictable 0');
INSERT INTO raw_lines VALUES(4,54,55,'hierarchical_memory_limit 67108864');
INSERT INTO raw_lines VALUES(4,55,56,'hierarchical_memsw_limit 67108864');
INSERT INTO raw_lines VALUES(4,56,57,'total_cache 41943040');
INSERT INTO raw_lines VALUES(4,57,58,'total_rss 24948736');
INSERT INTO raw_lines VALUES(4,58,59,'total_rss_huge 0');
INSERT INTO raw_lines VALUES(4,59,60,'total_shmem 41943040');
INSERT INTO raw_lines VALUES(4,60,61,'total_mapped_file 0');
INSERT INTO raw_lines VALUES(4,61,62,'total_dirty 0');
INSERT INTO raw_lines VALUES(4,62,63,'total_writeback 0');
INSERT INTO raw_lines VALUES(4,63,64,'total_workingset_refault_anon 0');
INSERT INTO raw_lines VALUES(4,64,65,'total_workingset_refault_file 0');
INSERT INTO raw_lines VALUES(4,65,66,'total_swap 0');
INSERT INTO raw_lines VALUES(4,66,67,'total_swapcached 0');
INSERT INTO raw_lines VALUES(4,67,68,'total_pgpgin 16331');
INSERT INTO raw_lines VALUES(4,68,69,'total_pgpgout 0');
INSERT INTO raw_lines VALUES(4,69,70,'total_pgfault 6148');
INSERT INTO raw_lines VALUES(4,70,71,'total_pgmajfault 0');
INSERT INTO raw_lines VALUES(4,71,72,'total_inactive_anon 66887680');
INSERT INTO raw_lines VALUES(4,72,73,'total_active_anon 4096');
INSERT INTO raw_lines VALUES(4,73,74,'total_inactive_file 0');
INSERT INTO raw_lines VALUES(4,74,75,'total_active_file 0');
INSERT INTO raw_lines VALUES(4,75,76,'total_unevictable 0');
INSERT INTO raw_lines VALUES(4,76,77,'Tasks state (memory values in pages):');
INSERT INTO raw_lines VALUES(4,77,78,'[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name');
INSERT INTO raw_lines VALUES(4,78,79,'[   5740]     0  5740     7821     6661     6080      581         0    98304        0             0 oomscope_shmem_');
INSERT INTO raw_lines VALUES(4,79,80,'oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/oomscope-anatomy-5738-b4f8c91f,task_memcg=/oomscope-anatomy-5738-b4f8c91f,task=oomscope_shmem_,pid=5740,uid=0');
INSERT INTO raw_lines VALUES(4,80,81,'Memory cgroup out of memory: Killed process 5740 (oomscope_shmem_) total-vm:31284kB, anon-rss:24320kB, file-rss:2324kB, shmem-rss:0kB, UID:0 pgtables:96kB oom_score_adj:0');
CREATE TABLE warnings (
    id         INTEGER PRIMARY KEY,
    source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    line       INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    detail     TEXT
);
CREATE TABLE workloads (
    id         INTEGER PRIMARY KEY,
    host       TEXT    NOT NULL,
    key        TEXT    NOT NULL,   -- "pod/<uid>", "docker/<id>", "unit/<name>" or the cgroup path
    kind       TEXT    NOT NULL,   -- cgroupKindName(): docker, kubernetes, systemd, other
    pod_uid    TEXT,
    container  TEXT,
    unit       TEXT,
    UNIQUE (host, key)
);
CREATE TABLE series (
    id           INTEGER PRIMARY KEY,
    workload_id  INTEGER NOT NULL REFERENCES workloads(id) ON DELETE CASCADE,
    host         TEXT    NOT NULL,
    cgroup_path  TEXT    NOT NULL,
    incarnation  INTEGER NOT NULL,   -- 1, 2, … in order of creation within the workload
    first_ms     INTEGER,            -- NULL while empty
    last_ms      INTEGER,
    count        INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT    NOT NULL,
    UNIQUE (host, cgroup_path)
);
CREATE TABLE sample_chunks (
    id         INTEGER PRIMARY KEY,
    series_id  INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
    level      INTEGER NOT NULL,
    seq        INTEGER NOT NULL,   -- order within (series, level); times never decrease with seq
    t_first    INTEGER NOT NULL,
    t_last     INTEGER NOT NULL,
    count      INTEGER NOT NULL,
    data       BLOB    NOT NULL,
    UNIQUE (series_id, level, seq)
);
CREATE TABLE process_samples (
    series_id      INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
    time_ms        INTEGER NOT NULL,
    pid            INTEGER NOT NULL,
    comm           TEXT,
    cgroup         TEXT,
    rss_kb         INTEGER,
    rss_anon_kb    INTEGER,
    rss_file_kb    INTEGER,
    rss_shmem_kb   INTEGER,
    swap_kb        INTEGER,
    pgtables_kb    INTEGER,
    oom_score_adj  INTEGER NOT NULL,
    boottime_s     REAL
);
CREATE TABLE event_placement (
    event_id   INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    series_id  INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
    time_ms    INTEGER NOT NULL,
    PRIMARY KEY (event_id, series_id)
) WITHOUT ROWID;
CREATE TABLE remote_nodes (
    node            TEXT    PRIMARY KEY,   -- the address attached to: host:port, ssh://user@host, exec:path
    hostname        TEXT,                  -- the agent's hello; samples are stored under it
    instance        TEXT,                  -- agent instance the cursor belongs to
    last_seq        INTEGER NOT NULL DEFAULT 0,
    boot_time_ms    INTEGER,
    kernel_release  TEXT,
    cgroup_version  INTEGER,
    samples_stored  INTEGER NOT NULL DEFAULT 0,
    events_stored   INTEGER NOT NULL DEFAULT 0,
    last_stored_ms  INTEGER                -- wall clock of the last stored batch
);
CREATE TABLE remote_gaps (
    id           INTEGER PRIMARY KEY,
    node         TEXT    NOT NULL,
    instance     TEXT,
    from_seq     INTEGER NOT NULL,
    to_seq       INTEGER NOT NULL,
    detected_ms  INTEGER NOT NULL
);
CREATE TABLE deaths (
    id         INTEGER PRIMARY KEY,
    identity   TEXT    NOT NULL UNIQUE,   -- killer|node|time|uptime|pid|cgroup (names when neither)
    time_ms    INTEGER,                   -- wall clock, ms since the epoch; NULL when unknown
    killer     TEXT    NOT NULL,          -- killerKey(): kernel_memcg, systemd_oomd, earlyoom, …
    node       TEXT,
    namespace  TEXT,
    pod        TEXT,
    container  TEXT,
    event_id   INTEGER REFERENCES events(id) ON DELETE SET NULL,
    record     TEXT    NOT NULL           -- deathToJson()
);
INSERT INTO deaths VALUES(1,'kernel_memcg|812344.802913|17230|/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f9b2c71_0a4e_4d6b_8c1f_77e2d5a9b013.slice/cri-containerd-2689923c2d9956236192d04a55e3924f9a30e2c9d2150f4444f405d87bbde4ca.scope',1795057964000,'kernel_memcg','k8s-node-11','','','',1,'{"cgroup":"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f9b2c71_0a4e_4d6b_8c1f_77e2d5a9b013.slice/cri-containerd-2689923c2d9956236192d04a55e3924f9a30e2c9d2150f4444f405d87bbde4ca.scope","comm":"gunicorn","confidence":"high","container":null,"container_id":"2689923c2d9956236192d04a55e3924f9a30e2c9d2150f4444f405d87bbde4ca","event_id":1,"evidence":[{"line":3,"source":"08-ubuntu22.04-5.15-mixed-interleaved.syslog.log","text":"gunicorn invoked oom-killer: gfp_mask=0x1100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=985"},{"line":75,"source":"08-ubuntu22.04-5.15-mixed-interleaved.syslog.log","text":"oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-2689923c2d9956236192d04a55e3924f9a30e2c9d2150f4444f405d87bbde4ca.scope,mems_allowed=0,oom_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f9b2c71_0a4e_4d6b_8c1f_77e2d5a9b013.slice/cri-containerd-2689923c2d9956236192d04a55e3924f9a30e2c9d2150f4444f405d87bbde4ca.scope,task_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f9b2c71_0a4e_4d6b_8c1f_77e2d5a9b013.slice/cri-containerd-2689923c2d9956236192d04a55e3924f9a30e2c9d2150f4444f405d87bbde4ca.scope,task=gunicorn,pid=17230,uid=1000"},{"line":76,"source":"08-ubuntu22.04-5.15-mixed-interleaved.syslog.log","text":"Memory cgroup out of memory: Killed process 17230 (gunicorn) total-vm:392884kB, anon-rss:132480kB, file-rss:5280kB, shmem-rss:0kB, UID:1000 pgtables:296kB oom_score_adj:985"},{"line":77,"source":"08-ubuntu22.04-5.15-mixed-interleaved.syslog.log","text":"Nov 19 03:12:44 k8s-node-11 containerd[902]: time=\"2026-11-19T03:12:44.857201933Z\" level=info msg=\"TaskOOM event &TaskOOM{ContainerID:2689923c2d9956236192d04a55e3924f9a30e2c9d2150f4444f405d87bbde4ca,XXX_unrecognized:[],}\""},{"line":78,"source":"08-ubuntu22.04-5.15-mixed-interleaved.syslog.log","text":"Nov 19 03:12:45 k8s-node-11 systemd[1]: cri-containerd-2689923c2d9956236192d04a55e3924f9a30e2c9d2150f4444f405d87bbde4ca.scope: A process of this unit has been killed by the OOM killer."}],"exit_code":null,"killer":"kernel_memcg","namespace":null,"node":"k8s-node-11","notes":[],"pid":17230,"pod":null,"pod_uid":"3f9b2c71-0a4e-4d6b-8c1f-77e2d5a9b013","restart_count":null,"time":"2026-11-19T03:12:44.000","uptime_s":812344.802913}');
INSERT INTO deaths VALUES(2,'kernel_memcg|812385.661002|20145|/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda51c0e98_6d2f_4b7a_9e35_1c8d4f0b2e66.slice/cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope',1795058005000,'kernel_memcg','k8s-node-11','','','',2,'{"cgroup":"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda51c0e98_6d2f_4b7a_9e35_1c8d4f0b2e66.slice/cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope","comm":"celery","confidence":"high","container":null,"container_id":"4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9","event_id":2,"evidence":[{"line":80,"source":"08-ubuntu22.04-5.15-mixed-interleaved.syslog.log","text":"celery invoked oom-killer: gfp_mask=0x1100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=937"},{"line":153,"source":"08-ubuntu22.04-5.15-mixed-interleaved.syslog.log","text":"oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope,mems_allowed=0,oom_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda51c0e98_6d2f_4b7a_9e35_1c8d4f0b2e66.slice/cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope,task_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda51c0e98_6d2f_4b7a_9e35_1c8d4f0b2e66.slice/cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope,task=celery,pid=20145,uid=1000"},{"line":154,"source":"08-ubuntu22.04-5.15-mixed-interleaved.syslog.log","text":"Memory cgroup out of memory: Killed process 20145 (celery) total-vm:487520kB, anon-rss:220840kB, file-rss:6040kB, shmem-rss:0kB, UID:1000 pgtables:476kB oom_score_adj:937"},{"line":159,"source":"08-ubuntu22.04-5.15-mixed-interleaved.syslog.log","text":"Nov 19 03:13:25 k8s-node-11 containerd[902]: time=\"2026-11-19T03:13:25.702334101Z\" level=info msg=\"TaskOOM event &TaskOOM{ContainerID:4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9,XXX_unrecognized:[],}\""}],"exit_code":null,"killer":"kernel_memcg","namespace":null,"node":"k8s-node-11","notes":[],"pid":20145,"pod":null,"pod_uid":"a51c0e98-6d2f-4b7a-9e35-1c8d4f0b2e66","restart_count":null,"time":"2026-11-19T03:13:25.000","uptime_s":812385.661002}');
INSERT INTO deaths VALUES(3,'kernel_memcg|812385.661002|20110|/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda51c0e98_6d2f_4b7a_9e35_1c8d4f0b2e66.slice/cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope',1795058005000,'kernel_memcg','k8s-node-11','','','',2,'{"cgroup":"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda51c0e98_6d2f_4b7a_9e35_1c8d4f0b2e66.slice/cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope","comm":"celery","confidence":"high","container":null,"container_id":"4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9","event_id":2,"evidence":[{"line":80,"source":"08-ubuntu22.04-5.15-mixed-interleaved.syslog.log","text":"celery invoked oom-killer: gfp_mask=0x1100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=937"},{"line":153,"source":"08-ubuntu22.04-5.15-mixed-interleaved.syslog.log","text":"oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope,mems_allowed=0,oom_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda51c0e98_6d2f_4b7a_9e35_1c8d4f0b2e66.slice/cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope,task_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda51c0e98_6d2f_4b7a_9e35_1c8d4f0b2e66.slice/cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope,task=celery,pid=20145,uid=1000"},{"line":154,"source":"08-ubuntu22.04-5.15-mixed-interleaved.syslog.log","text":"Memory cgroup out of memory: Killed process 20145 (celery) total-vm:487520kB, anon-rss:220840kB, file-rss:6040kB, shmem-rss:0kB, UID:1000 pgtables:476kB oom_score_adj:937"}],"exit_code":null,"killer":"kernel_memcg","namespace":null,"node":"k8s-node-11","notes":[],"pid":20110,"pod":null,"pod_uid":"a51c0e98-6d2f-4b7a-9e35-1c8d4f0b2e66","restart_count":null,"time":"2026-11-19T03:13:25.000","uptime_s":812385.661002}');
INSERT INTO deaths VALUES(4,'kernel_memcg|812385.661002|20146|/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda51c0e98_6d2f_4b7a_9e35_1c8d4f0b2e66.slice/cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope',1795058005000,'kernel_memcg','k8s-node-11','','','',2,'{"cgroup":"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda51c0e98_6d2f_4b7a_9e35_1c8d4f0b2e66.slice/cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope","comm":"celery","confidence":"high","container":null,"container_id":"4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9","event_id":2,"evidence":[{"line":80,"source":"08-ubuntu22.04-5.15-mixed-interleaved.syslog.log","text":"celery invoked oom-killer: gfp_mask=0x1100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=937"},{"line":153,"source":"08-ubuntu22.04-5.15-mixed-interleaved.syslog.log","text":"oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope,mems_allowed=0,oom_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda51c0e98_6d2f_4b7a_9e35_1c8d4f0b2e66.slice/cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope,task_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda51c0e98_6d2f_4b7a_9e35_1c8d4f0b2e66.slice/cri-containerd-4fe4b411f01f15619347cebd1b526f75c473d6d8dc27b058535c9d3996e8cfd9.scope,task=celery,pid=20145,uid=1000"},{"line":154,"source":"08-ubuntu22.04-5.15-mixed-interleaved.syslog.log","text":"Memory cgroup out of memory: Killed process 20145 (celery) total-vm:487520kB, anon-rss:220840kB, file-rss:6040kB, shmem-rss:0kB, UID:1000 pgtables:476kB oom_score_adj:937"}],"exit_code":null,"killer":"kernel_memcg","namespace":null,"node":"k8s-node-11","notes":[],"pid":20146,"pod":null,"pod_uid":"a51c0e98-6d2f-4b7a-9e35-1c8d4f0b2e66","restart_count":null,"time":"2026-11-19T03:13:25.000","uptime_s":812385.661002}');
INSERT INTO deaths VALUES(5,'kernel_global||6576|',NULL,'kernel_global','','','','',3,'{"cgroup":null,"comm":"mysqld","confidence":"high","container":null,"container_id":null,"event_id":3,"evidence":[{"line":1,"source":"oomanalyser-rhel7-3.10-global-numa-012.log","text":"sed invoked oom-killer: gfp_mask=0x201da, order=0, oom_score_adj=0"},{"line":144,"source":"oomanalyser-rhel7-3.10-global-numa-012.log","text":"Killed process 6576 (mysqld) total-vm:33914892kB, anon-rss:20629004kB, file-rss:0kB, shmem-rss:0kB"}],"exit_code":null,"killer":"kernel_global","namespace":null,"node":null,"notes":[],"pid":6576,"pod":null,"pod_uid":null,"restart_count":null,"time":null,"uptime_s":null}');
INSERT INTO deaths VALUES(6,'kernel_memcg|16501.922723|5740|/oomscope-anatomy-5738-b4f8c91f',NULL,'kernel_memcg','','','','',4,'{"cgroup":"/oomscope-anatomy-5738-b4f8c91f","comm":"oomscope_shmem_","confidence":"high","container":null,"container_id":null,"event_id":4,"evidence":[{"line":1,"source":"kmsg-6.18-memcg-v1-shmem-oomkill.kmsg","text":"oomscope_shmem_ invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0"},{"line":80,"source":"kmsg-6.18-memcg-v1-shmem-oomkill.kmsg","text":"oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/oomscope-anatomy-5738-b4f8c91f,task_memcg=/oomscope-anatomy-5738-b4f8c91f,task=oomscope_shmem_,pid=5740,uid=0"},{"line":81,"source":"kmsg-6.18-memcg-v1-shmem-oomkill.kmsg","text":"Memory cgroup out of memory: Killed process 5740 (oomscope_shmem_) total-vm:31284kB, anon-rss:24320kB, file-rss:2324kB, shmem-rss:0kB, UID:0 pgtables:96kB oom_score_adj:0"}],"exit_code":null,"killer":"kernel_memcg","namespace":null,"node":null,"notes":[],"pid":5740,"pod":null,"pod_uid":null,"restart_count":null,"time":null,"uptime_s":16501.922723}');
CREATE TABLE kube_pods (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER REFERENCES sources(id) ON DELETE CASCADE,
    reported_by  TEXT,                  -- hostname of the agent that sent it (no source file)
    node         TEXT,                  -- spec.nodeName
    uid          TEXT,                  -- metadata.uid; empty from `kubectl describe`
    namespace    TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    pod_json     TEXT    NOT NULL,
    stored_ms    INTEGER NOT NULL
);
CREATE TABLE kube_events (
    id             INTEGER PRIMARY KEY,
    source_id      INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    namespace      TEXT,
    involved_kind  TEXT,
    involved_name  TEXT,
    reason         TEXT,
    first_ms       INTEGER,               -- firstTimestamp (or eventTime), epoch ms UTC
    event_json     TEXT    NOT NULL
);
CREATE INDEX events_source ON events(source_id, first_line);
CREATE INDEX events_wall_time ON events(wall_time_ms);
CREATE INDEX events_oom_memcg ON events(oom_memcg);
CREATE INDEX tasks_pid ON tasks(pid);
CREATE INDEX warnings_source ON warnings(source_id, line);
CREATE INDEX series_workload ON series(workload_id, incarnation);
CREATE INDEX sample_chunks_time ON sample_chunks(series_id, level, t_last, t_first, count);
CREATE INDEX process_samples_time ON process_samples(series_id, time_ms);
CREATE INDEX event_placement_series ON event_placement(series_id, time_ms);
CREATE INDEX remote_gaps_node ON remote_gaps(node, detected_ms);
CREATE INDEX deaths_time ON deaths(time_ms);
CREATE INDEX deaths_pod ON deaths(namespace, pod, container);
CREATE INDEX kube_pods_uid ON kube_pods(uid);
CREATE INDEX kube_pods_reported_by ON kube_pods(reported_by);
CREATE INDEX kube_events_involved ON kube_events(namespace, involved_name);
COMMIT;
PRAGMA user_version = 5;
PRAGMA application_id = 1869573491;

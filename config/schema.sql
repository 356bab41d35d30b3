-- mc-f2b schema for MariaDB (database mc_config).
--
-- The tables and columns of MailCleaner's fail2ban integration, so that its
-- readers keep working, with what mc-f2b adds:
--   * UNIQUE (jail, ip): one row per jail and address, which makes a ban one
--     row lock and lets concurrent first bans meet on the key;
--   * updated_at, kept current by the server on every change and indexed, so
--     that a cluster node reads only what changed since its last round;
--   * a jail column wide enough for "<jail>-bl" names;
--   * an index on (jail, whitelisted): every ban reads its jail's whitelist,
--     and without it that read walks every row of the jail;
--   * fail2ban_events, one row per change of a ban's state, written by
--     triggers on fail2ban_ips in the change's own statement (mc-f2b schema
--     install makes them, see schema.c), and the change_* columns through
--     which a writer says who it is: always empty at rest, the triggers
--     move their values into the event.
-- "mc-f2b schema install" runs this file; "mc-f2b schema upgrade" brings an
-- existing MailCleaner database to the same shape without losing a ban.
-- Statements are separated by a semicolon at the end of a line.

CREATE TABLE IF NOT EXISTS fail2ban_ips (
  id          int NOT NULL AUTO_INCREMENT,
  ip          varchar(150) NOT NULL,
  count       int NOT NULL,
  active      tinyint(1),
  blacklisted tinyint(1) DEFAULT 0,
  whitelisted tinyint(1) DEFAULT 0,
  jail        varchar(160) NOT NULL,
  last_hit    timestamp NULL DEFAULT current_timestamp(),
  host        varchar(150) NOT NULL,
  updated_at  timestamp(6) NOT NULL DEFAULT current_timestamp(6)
              ON UPDATE current_timestamp(6),
  change_source   varchar(40) DEFAULT NULL,
  change_node     varchar(150) DEFAULT NULL,
  change_failures bigint DEFAULT NULL,
  change_bantime  bigint DEFAULT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY jail_ip (jail, ip),
  KEY updated_at (updated_at),
  KEY whitelist (jail, whitelisted)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- What happened to each address, oldest first by id: "what" is one of
-- banned, unbanned, blacklisted, unblacklisted, whitelisted, unwhitelisted;
-- "source" what made the change (fail2ban, a verb, spool replay), NULL when
-- the writer did not say.
CREATE TABLE IF NOT EXISTS fail2ban_events (
  id       bigint NOT NULL AUTO_INCREMENT,
  at       timestamp(6) NOT NULL DEFAULT current_timestamp(6),
  node     varchar(150) DEFAULT NULL,
  jail     varchar(160) NOT NULL,
  ip       varchar(150) NOT NULL,
  what     varchar(16) NOT NULL,
  failures bigint DEFAULT NULL,
  bantime  bigint DEFAULT NULL,
  source   varchar(40) DEFAULT NULL,
  PRIMARY KEY (id),
  KEY ip_jail (ip, jail),
  KEY at (at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS fail2ban_jail (
  id           int NOT NULL AUTO_INCREMENT,
  enabled      tinyint(1) DEFAULT 1,
  name         varchar(150) NOT NULL,
  maxretry     int NOT NULL,
  findtime     int NOT NULL,
  bantime      int NOT NULL,
  port         varchar(50) NOT NULL,
  filter       varchar(50) NOT NULL,
  banaction    varchar(50) NOT NULL,
  logpath      varchar(250) NOT NULL,
  max_count    int NOT NULL,
  send_mail    tinyint(1) DEFAULT 0,
  send_mail_bl tinyint(1) DEFAULT 1,
  PRIMARY KEY (id),
  UNIQUE KEY name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS fail2ban_conf (
  id         int NOT NULL AUTO_INCREMENT,
  src_email  varchar(150) NOT NULL,
  src_name   varchar(150) NOT NULL,
  dest_email varchar(150) NOT NULL,
  chain      varchar(50) DEFAULT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- MailCleaner's default jails, all disabled until "mc-f2b jail enable" or
-- "mc-f2b general enable"; only added when a jail of that name is absent.
-- Paths can be changed afterwards: mc-f2b jail change -j NAME --option
-- logpath -v PATH.
INSERT IGNORE INTO fail2ban_jail (enabled, name, maxretry, findtime, bantime,
  port, filter, banaction, logpath, max_count) VALUES
  (0, 'mc-exim', 10, 3600, 86400, '25,465,587', 'mc-exim-filter', 'mc-custom',
   '/var/mailcleaner/log/exim_stage1/rejectlog', 3),
  (0, 'mc-webauth', 10, 3600, 86400, '80,443', 'mc-webauth-filter',
   'mc-custom', '/var/mailcleaner/log/apache/mc_auth.log', 3),
  (0, 'mc-ssh', 3, 3600, 86400, '22', 'sshd', 'mc-custom', '/var/log/auth.log',
   3);

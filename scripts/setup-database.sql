-- The haas database and its MariaDB user on the local server, run by the
-- Debian package's postinst as MariaDB's root (idempotent).  The user logs
-- in by unix socket authentication: only the system user haas is it.
CREATE DATABASE IF NOT EXISTS haas
  CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'haas'@'localhost' IDENTIFIED VIA unix_socket;
GRANT ALL PRIVILEGES ON haas.* TO 'haas'@'localhost';

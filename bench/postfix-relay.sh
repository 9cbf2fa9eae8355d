#!/usr/bin/env bash
# A private Postfix instance as a store-and-forward relay, for the benchmark: its own config,
# queue and data folders under DIR, smtpd on 127.0.0.1:PORT only, everything relayed to
# [127.0.0.1]:SINK_PORT. Nothing on port 25; the system's own instance is not started.
#
#   bench/postfix-relay.sh start DIR PORT SINK_PORT
#   bench/postfix-relay.sh stop DIR
#
# Postfix refuses "postfix -c DIR" unless the default instance lists DIR in
# alternate_config_directories: start adds it there, stop takes it out again.
set -euo pipefail
PATH="$PATH:/usr/sbin"

action=$1 dir=$2

listed() { postconf -h alternate_config_directories | tr ', ' '\n\n' | grep -qx "$1"; }

case "$action" in
start)
  port=$3 sink=$4
  mkdir -p "$dir/etc" "$dir/queue" "$dir/data"
  chown postfix "$dir/data"
  cp /etc/postfix/dynamicmaps.cf "$dir/etc/"
  [ -d /etc/postfix/dynamicmaps.cf.d ] && cp -r /etc/postfix/dynamicmaps.cf.d "$dir/etc/"
  # the smtpd service on the loopback port, nothing chrooted (the chroot would need a copy of
  # /etc files in the private queue folder), logging by postlogd into a file of its own
  awk -v listen="127.0.0.1:$port" '
    /^smtp[ \t]+inet/ { $1 = listen }
    /^[a-z0-9:.]+[ \t]+(inet|unix|unix-dgram|fifo|pass)[ \t]/ { $5 = "n" }
    { print }' /etc/postfix/master.cf > "$dir/etc/master.cf"
  grep -q '^postlog' "$dir/etc/master.cf" \
    || echo 'postlog   unix-dgram n  -       n       -       1       postlogd' >> "$dir/etc/master.cf"
  cat > "$dir/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = bench-relay.localdomain
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
relayhost = [127.0.0.1]:$sink
# measured as a relay, not as a defence: no pause when arrivals outrun deliveries (default 1s),
# no reverse DNS for each client
in_flow_delay = 0
smtpd_peername_lookup = no
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
EOF
  if ! listed "$dir/etc"; then
    current=$(postconf -h alternate_config_directories)
    postconf -e "alternate_config_directories = ${current:+$current, }$dir/etc"
  fi
  postfix -c "$dir/etc" check
  postfix -c "$dir/etc" start
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && exit 0
    sleep 0.1
  done
  echo "the private Postfix relay did not listen on 127.0.0.1:$port; see $dir/maillog" >&2
  exit 1
  ;;
stop)
  postfix -c "$dir/etc" stop >/dev/null 2>&1 || true
  if listed "$dir/etc"; then
    rest=$(postconf -h alternate_config_directories | tr ',' '\n' | sed 's/^ *//' | grep -vx "$dir/etc" | paste -sd, - || true)
    if [ -z "$rest" ]; then postconf -X alternate_config_directories; else postconf -e "alternate_config_directories = $rest"; fi
  fi
  ;;
*)
  echo "usage: $0 start DIR PORT SINK_PORT | stop DIR" >&2
  exit 2
  ;;
esac

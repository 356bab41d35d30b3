# sandbox.sh - a throw-away copy of this machine, for following the README
# as an administrator would: packages installed with apt-get, MariaDB and
# fail2ban at their system paths, files written under /etc and /var.
#
#   sandbox_run DIR SCRIPT [ARGS...]
#       run the bash file SCRIPT (with ARGS) as root inside the copy, DIR
#       being an empty directory for its mounts; returns SCRIPT's status.
#
# The copy is the root file system seen through an overlay whose upper
# layer is a tmpfs: every file the script writes, anywhere, goes there and
# is gone when the script ends.  It runs in new mount, network and PID
# namespaces: its own /run and /proc, only a loopback interface (so the
# nftables rules fail2ban adds stay in the copy), and every process it
# starts (mariadbd, fail2ban-server) is killed with it.  Other mounts of
# the machine are not part of the copy: /proc is the namespace's own, /dev
# a small one of its own (the machine's null, zero, full, random, urandom
# and tty; its own shm and pts: no /dev/log reaching the machine's syslog),
# /sys is absent.  The root file system must hold /usr, /etc, /var and
# the directory of DIR and SCRIPT (it fails loudly otherwise).

sandbox_run() {
	local dir=$1 script=$2
	shift 2
	unshare --mount --net --pid --fork --propagation private \
		bash -c '
		set -e
		dir=$1 script=$2
		shift 2
		mount -t tmpfs -o mode=0700 mc-f2b-sandbox "$dir"
		mkdir "$dir/upper" "$dir/work" "$dir/root"
		mount -t overlay mc-f2b-sandbox \
			-o "lowerdir=/,upperdir=$dir/upper,workdir=$dir/work" "$dir/root"
		mount -t proc proc "$dir/root/proc"
		dev=$dir/root/dev
		mount -t tmpfs -o mode=0755 dev "$dev"
		for node in null zero full random urandom tty; do
			touch "$dev/$node"
			mount --bind "/dev/$node" "$dev/$node"
		done
		mkdir "$dev/shm" "$dev/pts"
		mount -t tmpfs -o mode=1777 shm "$dev/shm"
		mount -t devpts -o newinstance,ptmxmode=0666 devpts "$dev/pts"
		ln -s pts/ptmx "$dev/ptmx"
		ln -s /proc/self/fd "$dev/fd"
		ln -s /proc/self/fd/0 "$dev/stdin"
		ln -s /proc/self/fd/1 "$dev/stdout"
		ln -s /proc/self/fd/2 "$dev/stderr"
		mount -t tmpfs -o mode=0755 run "$dir/root/run"
		mkdir -p "$dir/root/run/lock"
		ip link set lo up
		exec chroot "$dir/root" /bin/bash "$script" "$@"
		' sandbox "$dir" "$script" "$@"
}

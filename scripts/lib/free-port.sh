# Sourced by the bench and soak scripts (bash): free_port prints a TCP port
# on 127.0.0.1 that nothing listens on now, or fails after 100 tries.
free_port() {
	local p
	for p in $(shuf -i 20000-60000 -n 100); do
		(echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
	return 1
}

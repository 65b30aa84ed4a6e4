/* uart.h - an emulated transmit-only UART at an unmapped guest-physical
 * address: the guest's stores there exit with EPT violations. */
#ifndef UART_H
#define UART_H

#include "cpu.h"

void uart_write(u64 offset, u64 value, unsigned size);
/* The last complete line the guest sent, without the newline. */
const char *uart_last_line(void);

#endif

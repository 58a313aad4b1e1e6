/*
 * page_reader.h
 *	  Pinning index pages without the shared buffer-mapping lookup (see
 *	  page_reader.c).
 */
#ifndef PAGE_READER_H
#define PAGE_READER_H

#include "storage/buf.h"
#include "storage/off.h"
#include "utils/relcache.h"

typedef struct IndexPageReader IndexPageReader;

extern IndexPageReader *index_page_reader_create(Relation index);
extern void index_page_reader_free(IndexPageReader *reader);
/* Pin block (not locked) */
extern Buffer index_read_page(IndexPageReader *reader, BlockNumber block);
/* Prefetch the buffer header and line pointer that reading block will touch */
extern void index_prefetch_page(IndexPageReader *reader, BlockNumber block, OffsetNumber offset);

#endif							/* PAGE_READER_H */

/*
 * mem_bench.c: extra memory of json_validate() on a 500 MB document, realistic
 * (repeated objects and arrays) and pathological (250 million nesting levels).
 * Usage: mem_bench <MB> <0 = mixed | 1 = nested>  (make -C test/json mem)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "json_valid.h"
static long maxrss_kb(void){struct rusage r; getrusage(RUSAGE_SELF,&r); return r.ru_maxrss;}
int main(int argc,char**argv){
  size_t n = (size_t)atol(argv[1])*1000000; int kind=atoi(argv[2]);
  unsigned char *b = malloc(n); 
  if(kind==0){ /* mixed realistic: repeated array of objects */
    const char *unit="{\"a\":[1,2.5e3,\"x\\n\\u00e9y\"],\"b\":{\"c\":null,\"d\":true}},";
    size_t ul=strlen(unit), i=1; b[0]='[';
    while(i+ul+1<n){memcpy(b+i,unit,ul); i+=ul;}
    b[i-1]=']'; n=i;
  } else { memset(b,'[',n/2); memset(b+n/2,']',n/2); }
  for(size_t i=0;i<n;i+=4096) (void)b[i];
  long before=maxrss_kb(); JsonValidResult r; int ok=json_validate(b,n,1,&r); long after=maxrss_kb();
  printf("%s %zu MB: valid=%d, max RSS before %ld KB, after %ld KB, extra %ld KB\n", kind?"nested":"mixed", n/1000000, ok, before, after, after-before);
  return 0;}

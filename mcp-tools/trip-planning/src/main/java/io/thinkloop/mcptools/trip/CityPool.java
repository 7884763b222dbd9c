package io.thinkloop.mcptools.trip;

import java.util.List;

/**
 * The real cities a generated database draws from, with approximate coordinates (so that distances,
 * durations and fares between them are plausible), a typical early-October daytime high, a price level and
 * whether the city has a metro. Everything else about them is invented by the generator.
 */
final class CityPool {
    record Entry(String name, String province, double latitude, double longitude, int octoberHigh,
                 double priceLevel, boolean metro, String localCuisine, List<String> highlights) {
    }

    static final List<Entry> CITIES = List.of(
            e("Beijing", "Beijing", 39.90, 116.40, 21, 1.35, true, "Beijing cuisine", "imperial palaces", "hutong alleys", "the Great Wall"),
            e("Shanghai", "Shanghai", 31.23, 121.47, 25, 1.4, true, "Shanghainese cuisine", "the Bund skyline", "shikumen lanes", "night views"),
            e("Guangzhou", "Guangdong", 23.13, 113.26, 30, 1.2, true, "Cantonese cuisine", "morning tea", "Pearl River cruises", "lingnan architecture"),
            e("Shenzhen", "Guangdong", 22.54, 114.06, 30, 1.3, true, "Cantonese cuisine", "theme parks", "coastal parks", "design districts"),
            e("Hangzhou", "Zhejiang", 30.27, 120.15, 25, 1.15, true, "Zhejiang cuisine", "lake scenery", "tea plantations", "classical gardens"),
            e("Suzhou", "Jiangsu", 31.30, 120.58, 24, 1.05, true, "Suzhou cuisine", "classical gardens", "canal towns", "silk workshops"),
            e("Nanjing", "Jiangsu", 32.06, 118.80, 24, 1.0, true, "Jinling cuisine", "Ming dynasty walls", "museums", "plane-tree avenues"),
            e("Chengdu", "Sichuan", 30.57, 104.07, 23, 1.0, true, "Sichuan cuisine", "giant pandas", "teahouses", "hot pot"),
            e("Chongqing", "Chongqing", 29.56, 106.55, 25, 0.95, true, "Chongqing hot pot", "mountain city views", "Yangtze cruises", "hot pot"),
            e("Xi'an", "Shaanxi", 34.34, 108.94, 21, 0.95, true, "Shaanxi cuisine", "the Terracotta Army", "the city wall", "Muslim quarter food"),
            e("Wuhan", "Hubei", 30.59, 114.31, 25, 0.95, true, "Hubei cuisine", "East Lake", "Yellow Crane Tower", "hot dry noodles"),
            e("Changsha", "Hunan", 28.23, 112.94, 26, 0.9, true, "Hunan cuisine", "Yuelu Mountain", "spicy street food", "riverside walks"),
            e("Xiamen", "Fujian", 24.48, 118.09, 28, 1.05, true, "Minnan cuisine", "island strolls", "seafood", "colonial villas"),
            e("Qingdao", "Shandong", 36.07, 120.38, 21, 1.0, true, "Shandong seafood", "beaches", "beer culture", "German-era streets"),
            e("Kunming", "Yunnan", 25.04, 102.71, 21, 0.85, true, "Yunnan cuisine", "flower markets", "stone forests", "spring-like weather"),
            e("Guilin", "Guangxi", 25.27, 110.29, 27, 0.8, false, "Guilin rice noodles", "karst peaks", "Li River cruises", "caves"),
            e("Lhasa", "Tibet", 29.65, 91.14, 17, 1.0, false, "Tibetan cuisine", "monasteries", "high plateau scenery", "pilgrim circuits"),
            e("Harbin", "Heilongjiang", 45.80, 126.53, 13, 0.85, true, "Northeastern cuisine", "Russian architecture", "riverside parks", "ice festivals"),
            e("Dalian", "Liaoning", 38.91, 121.61, 19, 0.95, true, "Liaoning seafood", "coastal drives", "squares", "seafood"),
            e("Tianjin", "Tianjin", 39.34, 117.36, 21, 1.0, true, "Tianjin snacks", "European concessions", "crosstalk theaters", "river views"),
            e("Zhengzhou", "Henan", 34.75, 113.63, 22, 0.85, true, "Henan cuisine", "Shaolin kung fu", "Yellow River", "museums"),
            e("Luoyang", "Henan", 34.62, 112.45, 22, 0.8, true, "Luoyang water banquet", "Buddhist grottoes", "peony gardens", "ancient capitals"),
            e("Jinan", "Shandong", 36.65, 117.12, 22, 0.85, true, "Shandong cuisine", "springs", "lakes", "Mount Tai day trips"),
            e("Hefei", "Anhui", 31.82, 117.23, 24, 0.85, true, "Anhui cuisine", "lakeside parks", "science museums", "old streets"),
            e("Huangshan", "Anhui", 29.71, 118.34, 22, 0.9, false, "Hui cuisine", "granite peaks", "Hui-style villages", "hot springs"),
            e("Nanchang", "Jiangxi", 28.68, 115.86, 26, 0.8, true, "Jiangxi cuisine", "Tengwang Pavilion", "lakes", "revolutionary history"),
            e("Fuzhou", "Fujian", 26.07, 119.30, 28, 0.9, true, "Fuzhou cuisine", "hot springs", "lanes and alleys", "banyan trees"),
            e("Sanya", "Hainan", 18.25, 109.51, 31, 1.25, false, "Hainan cuisine", "beaches", "diving", "tropical gardens"),
            e("Haikou", "Hainan", 20.04, 110.34, 30, 0.95, false, "Hainan cuisine", "arcade streets", "volcanic parks", "coconut groves"),
            e("Lijiang", "Yunnan", 26.86, 100.23, 19, 1.0, false, "Naxi cuisine", "the old town", "snow mountains", "Naxi music"),
            e("Dali", "Yunnan", 25.61, 100.27, 21, 0.9, false, "Bai cuisine", "Erhai Lake", "Three Pagodas", "cycling"),
            e("Guiyang", "Guizhou", 26.65, 106.63, 21, 0.8, true, "Guizhou sour fish", "karst caves", "minority villages", "waterfalls"),
            e("Nanning", "Guangxi", 22.82, 108.32, 29, 0.8, true, "Guangxi cuisine", "green parks", "night markets", "tropical fruit"),
            e("Lanzhou", "Gansu", 36.06, 103.83, 18, 0.8, true, "Lanzhou beef noodles", "the Yellow River", "Silk Road history", "waterwheels"),
            e("Dunhuang", "Gansu", 40.14, 94.66, 19, 0.95, false, "Northwestern cuisine", "cave murals", "sand dunes", "desert oases"),
            e("Urumqi", "Xinjiang", 43.83, 87.62, 16, 0.9, true, "Xinjiang cuisine", "bazaars", "alpine lakes", "lamb skewers"),
            e("Hohhot", "Inner Mongolia", 40.84, 111.75, 16, 0.8, true, "Mongolian cuisine", "grasslands", "temples", "dairy treats"),
            e("Taiyuan", "Shanxi", 37.87, 112.55, 19, 0.8, true, "Shanxi noodles", "ancient temples", "vinegar culture", "museums"),
            e("Datong", "Shanxi", 40.08, 113.30, 17, 0.75, false, "Shanxi noodles", "Buddhist grottoes", "the hanging temple", "city walls"),
            e("Ningbo", "Zhejiang", 29.87, 121.55, 25, 1.0, true, "Ningbo cuisine", "old libraries", "harbors", "seafood"),
            e("Shaoxing", "Zhejiang", 30.00, 120.58, 25, 0.9, true, "Shaoxing cuisine", "water towns", "rice wine", "literary history"),
            e("Yangzhou", "Jiangsu", 32.39, 119.42, 24, 0.9, false, "Huaiyang cuisine", "Slender West Lake", "morning tea", "salt merchants' gardens"),
            e("Wuxi", "Jiangsu", 31.49, 120.31, 24, 0.95, true, "Wuxi cuisine", "Lake Tai", "Buddhist sites", "canal streets"),
            e("Zhangjiajie", "Hunan", 29.12, 110.48, 24, 0.85, false, "Tujia cuisine", "sandstone pillars", "glass bridges", "forest parks"));

    /** Cities far enough from the rail network that only flights reach them. */
    static final List<String> FLIGHT_ONLY = List.of("Lhasa", "Urumqi", "Dunhuang", "Sanya", "Haikou");

    private static Entry e(String name, String province, double lat, double lon, int high, double price,
                           boolean metro, String cuisine, String... highlights) {
        return new Entry(name, province, lat, lon, high, price, metro, cuisine, List.of(highlights));
    }

    private CityPool() {
    }
}
